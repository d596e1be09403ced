import{D as e,J as t,Q as n,S as r,T as i,Y as a,_ as o,a as s,b as c,d as l,f as u,g as d,h as f,i as p,m,n as h,o as ee,p as g,r as _,s as v,t as y,u as te,v as b,w as x,x as ne,y as re}from"./errors-CXP25Fgm.js";/* empty css               */var S=1,C,w={};function T(e){return e in w&&(delete w[e],!0)}var E={setImmediate:function(e){var t=S++;return w[t]=!0,C||=Promise.resolve(),C.then(function(){return T(t)&&e()}),t},clearImmediate:function(e){T(e)}},ie=E.setImmediate,D=E.clearImmediate,O={setImmediate:function(){var t=[...arguments];return(O.delegate?.setImmediate||ie).apply(void 0,e([],i(t)))},clearImmediate:function(e){return(O.delegate?.clearImmediate||D)(e)},delegate:void 0},k=function(e){x(t,e);function t(t,n){var r=e.call(this,t,n)||this;return r.scheduler=t,r.work=n,r}return t.prototype.requestAsyncId=function(t,n,r){return r===void 0&&(r=0),r!==null&&r>0?e.prototype.requestAsyncId.call(this,t,n,r):(t.actions.push(this),t._scheduled||=O.setImmediate(t.flush.bind(t,void 0)))},t.prototype.recycleAsyncId=function(t,n,r){if(r===void 0&&(r=0),r==null?this.delay>0:r>0)return e.prototype.recycleAsyncId.call(this,t,n,r);var i=t.actions;n!=null&&i[i.length-1]?.id!==n&&(O.clearImmediate(n),t._scheduled===n&&(t._scheduled=void 0))},t}(ne),ae=new(function(e){x(t,e);function t(){return e!==null&&e.apply(this,arguments)||this}return t.prototype.flush=function(e){this._active=!0;var t=this._scheduled;this._scheduled=void 0;var n=this.actions,r;e||=n.shift();do if(r=e.execute(e.state,e.delay))break;while((e=n[0])&&e.id===t&&n.shift());if(this._active=!1,r){for(;(e=n[0])&&e.id===t&&n.shift();)e.unsubscribe();throw r}},t}(c))(k),A=typeof b(()=>window.document.createElement)==`function`,j=n(t(),1),M=Symbol.for(`__APOLLO_CONTEXT__`);function N(){o(`createContext`in j,39);let e=j.createContext[M];return e||(Object.defineProperty(j.createContext,M,{value:e=j.createContext({}),enumerable:!1,writable:!1,configurable:!0}),e.displayName=`ApolloContext`),e}var oe=({client:e,children:t})=>{let n=N(),r=j.useContext(n),i=j.useMemo(()=>({...r,client:e||r.client}),[r,e]);return o(i.client,40),j.createElement(n.Provider,{value:i},t)};function P(e){let t=j.useContext(N()),n=e||t.client;return o(!!n,30),n}function se(e,t){let n=j.useRef(void 0);return n.current&&g(n.current.deps,t)||(n.current={value:e(),deps:t}),n.current.value}var ce=Symbol.for(`apollo.skipToken`),le=Symbol.for(`apollo.hook.wrappers`);function ue(e,t,n){let r=[n.queryManager,e.startsWith(`use`)?j.useContext(N()):void 0],i=t;for(let t of r){let n=t?.[le]?.[e];n&&(i=n(i))}return i}var de=A?j.useLayoutEffect:j.useEffect,fe=j.useSyncExternalStore,pe=b(()=>navigator.product)==`ReactNative`,F=b(()=>navigator.userAgent.indexOf(`jsdom`)>=0)||!1,I=(A||pe)&&!F,L=fe||((e,t,n)=>{let r=t(),[{inst:i},a]=j.useState({inst:{value:r,getSnapshot:t}});return I?j.useLayoutEffect(()=>{Object.assign(i,{value:r,getSnapshot:t}),R(i)&&a({inst:i})},[e,r,t]):Object.assign(i,{value:r,getSnapshot:t}),j.useEffect(()=>(R(i)&&a({inst:i}),e(function(){R(i)&&a({inst:i})})),[e]),r});function R({value:e,getSnapshot:t}){try{return e!==t()}catch{return!0}}var z=function(e,t){let n=P(t?.client),[r,i]=j.useState(()=>B(n)),a=j.useRef({result:r,mutationId:0,isMounted:!0,client:n,mutation:e,options:t});de(()=>{Object.assign(a.current,{client:n,options:t,mutation:e})});let o=j.useCallback((e={})=>{let{options:t,mutation:n}=a.current,r={...t,mutation:n},o=e.client||a.current.client,s=typeof e.context==`function`?e.context(t?.context):e.context;!a.current.result.loading&&a.current.isMounted&&i(a.current.result={loading:!0,error:void 0,data:void 0,called:!0,client:o});let c=++a.current.mutationId,l=f(r,{...e,context:s});return m(o.mutate(l).then(t=>{let{data:n,error:r}=t,s=e.onError||a.current.options?.onError;if(r&&s&&s(r,l),c===a.current.mutationId){let e={called:!0,loading:!1,data:n,error:r,client:o};a.current.isMounted&&!g(a.current.result,e)&&i(a.current.result=e)}let u=e.onCompleted||a.current.options?.onCompleted;return r||u?.(t.data,l),t},t=>{if(c===a.current.mutationId&&a.current.isMounted){let e={loading:!1,error:t,data:void 0,called:!0,client:o};g(a.current.result,e)||i(a.current.result=e)}let n=e.onError||a.current.options?.onError;throw n&&n(t,l),t}))},[]),s=j.useCallback(()=>{if(a.current.isMounted){let e=B(a.current.client);Object.assign(a.current,{mutationId:0,result:e}),i(e)}},[]);return j.useEffect(()=>{let e=a.current;return e.isMounted=!0,()=>{e.isMounted=!1}},[]),[o,{reset:s,...r}]};function B(e){return{data:void 0,error:void 0,called:!1,loading:!1,client:e}}var V=Symbol(),H=function(e,...[t]){"use no memo";return ue(`useQuery`,me,P(typeof t==`object`?t.client:void 0))(e,t)};function me(e,t={}){let n=P(typeof t==`object`?t.client:void 0),{ssr:r}=typeof t==`object`?t:{},i=he(e,t,n.defaultOptions.watchQuery);function a(t){let r=n.watchQuery(i);return{client:n,query:e,observable:r,resultData:{current:r.getCurrentResult(),previousData:t?.resultData.current.data,variables:r.variables}}}let[o,s]=j.useState(a);(n!==o.client||e!==o.query)&&s(o=a(o));let{observable:c,resultData:l}=o;ge(i,c),ve(l,c,i);let u=_e(c,l,r),d=j.useMemo(()=>({refetch:c.refetch.bind(c),fetchMore:c.fetchMore.bind(c),updateQuery:c.updateQuery.bind(c),startPolling:c.startPolling.bind(c),stopPolling:c.stopPolling.bind(c),subscribeToMore:c.subscribeToMore.bind(c)}),[c]),f=l.previousData;return j.useMemo(()=>{let{partial:e,...t}=u;return{...t,client:n,observable:c,variables:c.variables,previousData:f,...d}},[u,n,c,f,d])}var U=Symbol();function he(e,t,n){return se(()=>{if(t===ce){let t={...f(n,{query:e,fetchPolicy:`standby`}),[u]:!0};return t[U]=!0,t}let r=f(n,{...t,query:e});return t.skip&&(r.initialFetchPolicy=t.initialFetchPolicy||t.fetchPolicy,r.fetchPolicy=`standby`),r},[e,t,n])}function ge(e,t){"use no memo";e.fetchPolicy||=t.options.initialFetchPolicy}function _e(e,t,n){"use no memo";let r=e.options.fetchPolicy;return L(j.useCallback(n=>{let r=e.pipe(re(ae)).subscribe(r=>{let i=t.current;g(i,r)&&g(t.variables,e.variables)||(t.variables=e.variables,i.data&&!g(i.data,r.data)&&(t.previousData=i.data),t.current=r,n())});return()=>{setTimeout(()=>r.unsubscribe())}},[e,t]),()=>t.current,()=>r!==`standby`&&n===!1||r===`no-cache`?H.ssrDisabledResult:t.current)}function ve(e,t,n){"use no memo";if(t[V]&&!g(t[V],n)){t[V][U]&&!n.initialFetchPolicy&&(n.initialFetchPolicy=n.fetchPolicy),ye(t[V],n)?t.reobserve(n):t.applyOptions(n);let r=t.getCurrentResult();g(r.data,e.current.data)||(e.previousData=e.current.data||e.previousData),e.current=r,e.variables=t.variables}t[V]=n}function ye(e,t){return e.query!==t.query||!g(e.variables,t.variables)||e.fetchPolicy!==t.fetchPolicy&&(t.fetchPolicy===`standby`||e.fetchPolicy===`standby`)}H.ssrDisabledResult=d({loading:!0,data:void 0,dataState:`empty`,error:void 0,networkStatus:te.loading,partial:!0});var be=r();v(`
  fragment NotificationFields on Notification {
    id
    cursor
    kind
    message
    createdAt
    readAt
    actor {
      id
      name
    }
    card {
      id
      title
      board {
        id
        name
      }
    }
    post {
      id
      imageUrl
      caption
    }
  }
`),v(`
  fragment CardFields on Card {
    id
    title
    description
    updatedAt
    creator {
      id
      name
    }
    assignees(first: 20) {
      id
      name
    }
    comments(first: 20) {
      id
      body
      createdAt
      author {
        id
        name
      }
    }
  }
`);var xe=v(`
  query Me {
    me {
      id
      name
      email
    }
  }
`),Se=v(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      expiresAt
      user {
        id
        name
        email
      }
    }
  }
`),Ce=v(`
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      token
      expiresAt
      user {
        id
        name
        email
      }
    }
  }
`),W=v(`
  query Inbox($first: Int!) {
    notifications(first: $first) {
      edges {
        cursor
        node {
          ...NotificationFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    unreadNotificationCount
  }
`);v(`
  fragment NotificationPreferencesFields on NotificationPreferences {
    kinds {
      kind
      channel
      enabled
    }
    mutedBoards {
      id
      name
    }
  }
`);var we=v(`
  subscription InboxUpdates($userId: ID!, $after: String) {
    inbox(userId: $userId, after: $after) {
      version
      kind
      unreadCount
      notification {
        ...NotificationFields
      }
      readIds
      allReadUpTo
      preferences {
        ...NotificationPreferencesFields
      }
    }
  }
`),Te=v(`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      readAt
    }
  }
`),Ee=v(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`),De=v(`
  mutation SetNotificationPreference($kind: NotificationKind!, $enabled: Boolean!) {
    setNotificationPreference(kind: $kind, channel: IN_APP, enabled: $enabled) {
      ...NotificationPreferencesFields
    }
  }
`),Oe=v(`
  mutation MuteBoard($boardId: ID!) {
    muteBoard(boardId: $boardId) {
      id
      muted
    }
  }
`),G=v(`
  mutation UnmuteBoard($boardId: ID!) {
    unmuteBoard(boardId: $boardId) {
      id
      muted
    }
  }
`),K=v(`
  query Board($id: ID!) {
    board(id: $id) {
      id
      name
      owner {
        id
        name
      }
      members(first: 100) {
        id
        name
      }
      cards(first: 50) {
        ...CardFields
      }
    }
  }
`),ke=v(`
  mutation CreateBoard($name: String!) {
    createBoard(name: $name) {
      id
      name
    }
  }
`),Ae=v(`
  mutation AddBoardMember($boardId: ID!, $userId: ID!) {
    addBoardMember(boardId: $boardId, userId: $userId) {
      id
      members(first: 100) {
        id
        name
      }
    }
  }
`),je=v(`
  mutation CreateCard($boardId: ID!, $title: String!, $description: String) {
    createCard(boardId: $boardId, title: $title, description: $description) {
      ...CardFields
    }
  }
`),Me=v(`
  mutation UpdateCard($id: ID!, $input: UpdateCardInput!) {
    updateCard(id: $id, input: $input) {
      ...CardFields
    }
  }
`),Ne=v(`
  mutation AssignCard($cardId: ID!, $userId: ID!) {
    assignCard(cardId: $cardId, userId: $userId) {
      ...CardFields
    }
  }
`),Pe=v(`
  mutation AddComment($cardId: ID!, $body: String!) {
    addComment(cardId: $cardId, body: $body) {
      id
      body
      createdAt
      author {
        id
        name
      }
    }
  }
`),Fe=v(`
  mutation Follow($userId: ID!) {
    follow(userId: $userId) {
      id
      name
    }
  }
`),Ie=v(`
  mutation UploadPost($file: Upload!, $caption: String) {
    uploadPost(file: $file, caption: $caption) {
      id
      imageUrl
      caption
      createdAt
    }
  }
`),q=a();function Le({me:e,boardId:t,mutedBoardIds:n,onOpenBoard:r}){let i=(0,j.useId)();return(0,q.jsxs)(`section`,{className:`boards`,"aria-labelledby":i,children:[(0,q.jsx)(`h2`,{id:i,children:`Boards`}),(0,q.jsxs)(`div`,{className:`forms`,children:[(0,q.jsx)(Re,{onCreated:r}),(0,q.jsx)(ze,{onOpen:r})]}),t!==null&&(0,q.jsx)(Be,{id:t,me:e,mutedBoardIds:n},t)]})}function Re({onCreated:e}){let t=(0,j.useId)(),[n]=z(ke),{error:r,pending:i,submit:a}=_();return(0,q.jsxs)(`form`,{"aria-label":`Create a board`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`name`));a(async()=>{let{data:t}=await n({variables:{name:i}});t&&(r.reset(),e(t.createBoard.id))})},children:[(0,q.jsx)(`label`,{htmlFor:`${t}-name`,children:`Board name`}),(0,q.jsx)(`input`,{id:`${t}-name`,name:`name`,required:!0}),(0,q.jsx)(`button`,{type:`submit`,disabled:i,children:`Create board`}),(0,q.jsx)(y,{error:r})]})}function ze({onOpen:e}){let t=(0,j.useId)();return(0,q.jsxs)(`form`,{"aria-label":`Open a board`,onSubmit:t=>{t.preventDefault(),e(String(new FormData(t.currentTarget).get(`boardId`)).trim())},children:[(0,q.jsx)(`label`,{htmlFor:`${t}-board`,children:`Board id`}),(0,q.jsx)(`input`,{id:`${t}-board`,name:`boardId`,required:!0,inputMode:`numeric`}),(0,q.jsx)(`button`,{type:`submit`,children:`Open board`})]})}function Be({id:e,me:t,mutedBoardIds:n}){let r=(0,j.useId)(),{data:i,error:a,loading:o,refetch:s}=H(K,{variables:{id:e}}),c=_();if(o&&!i)return(0,q.jsxs)(`p`,{"aria-busy":`true`,children:[`Loading board `,e,`…`]});if(a)return(0,q.jsx)(y,{error:h(a)});let l=i?.board;if(!l)return(0,q.jsxs)(`p`,{role:`alert`,className:`error`,children:[(0,q.jsx)(`code`,{children:`NOT_FOUND`}),` Board `,e,` does not exist, or you are not one of its members.`]});let u=l.owner.id===t.id;return(0,q.jsxs)(`article`,{className:`board`,"aria-labelledby":r,children:[(0,q.jsxs)(`h3`,{id:r,children:[l.name,` `,(0,q.jsxs)(`span`,{className:`muted`,children:[`(board id `,l.id,`)`]})]}),(0,q.jsxs)(`p`,{children:[`Owner: `,l.owner.name,`. Members: `,l.members.map(e=>e.name).join(`, `),`.`,` `,(0,q.jsx)(`button`,{type:`button`,disabled:c.pending,onClick:()=>void c.submit(s),children:`Reload board`})]}),(0,q.jsx)(y,{error:c.error}),n!==null&&(0,q.jsx)(Ve,{boardId:l.id,muted:n.has(l.id)}),(0,q.jsxs)(`div`,{className:`forms`,children:[u&&(0,q.jsx)(He,{boardId:l.id}),(0,q.jsx)(Ue,{boardId:l.id})]}),l.cards.length===0?(0,q.jsx)(`p`,{children:`No cards yet.`}):(0,q.jsx)(`ul`,{className:`cards`,children:l.cards.map(e=>(0,q.jsx)(`li`,{children:(0,q.jsx)(We,{card:e,members:l.members})},e.id))})]})}function Ve({boardId:e,muted:t}){let n=(0,j.useId)(),[r]=z(Oe),[i]=z(G),{error:a,pending:o,submit:s}=_();return(0,q.jsxs)(`div`,{className:`toggle`,children:[(0,q.jsx)(`input`,{id:n,type:`checkbox`,checked:t,disabled:o,onChange:()=>void s(()=>(t?i:r)({variables:{boardId:e}}))}),(0,q.jsx)(`label`,{htmlFor:n,children:`Mute notifications from this board`}),(0,q.jsx)(y,{error:a})]})}function He({boardId:e}){let t=(0,j.useId)(),[n]=z(Ae),{error:r,pending:i,submit:a}=_();return(0,q.jsxs)(`form`,{"aria-label":`Add a member`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`userId`)).trim();a(async()=>{await n({variables:{boardId:e,userId:i}}),r.reset()})},children:[(0,q.jsx)(`label`,{htmlFor:`${t}-user`,children:`Member's user id`}),(0,q.jsx)(`input`,{id:`${t}-user`,name:`userId`,required:!0,inputMode:`numeric`}),(0,q.jsx)(`button`,{type:`submit`,disabled:i,children:`Add member`}),(0,q.jsx)(y,{error:r})]})}function Ue({boardId:e}){let t=(0,j.useId)(),[n]=z(je,{refetchQueries:[K]}),{error:r,pending:i,submit:a}=_();return(0,q.jsxs)(`form`,{"aria-label":`Add a card`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=new FormData(r),o=String(i.get(`description`)).trim();a(async()=>{await n({variables:{boardId:e,title:String(i.get(`title`)),description:o===``?null:o},awaitRefetchQueries:!0}),r.reset()})},children:[(0,q.jsx)(`label`,{htmlFor:`${t}-title`,children:`Card title`}),(0,q.jsx)(`input`,{id:`${t}-title`,name:`title`,required:!0}),(0,q.jsx)(`label`,{htmlFor:`${t}-description`,children:`Card description`}),(0,q.jsx)(`input`,{id:`${t}-description`,name:`description`}),(0,q.jsx)(`button`,{type:`submit`,disabled:i,children:`Add card`}),(0,q.jsx)(y,{error:r})]})}function We({card:e,members:t}){let n=(0,j.useId)();return(0,q.jsxs)(`article`,{className:`card`,"aria-labelledby":n,children:[(0,q.jsx)(`h4`,{id:n,children:e.title}),e.description&&(0,q.jsx)(`p`,{children:e.description}),(0,q.jsxs)(`p`,{className:`meta`,children:[`Created by `,e.creator.name,`. Assigned to:`,` `,e.assignees.length===0?`nobody`:e.assignees.map(e=>e.name).join(`, `),`.`]}),(0,q.jsxs)(`div`,{className:`forms`,children:[(0,q.jsx)(Ge,{card:e,members:t}),(0,q.jsx)(Ke,{card:e})]}),(0,q.jsx)(`h5`,{children:`Comments`}),e.comments.length===0?(0,q.jsx)(`p`,{className:`muted`,children:`No comments yet.`}):(0,q.jsx)(`ul`,{className:`comments`,children:e.comments.map(e=>(0,q.jsxs)(`li`,{children:[(0,q.jsxs)(`strong`,{children:[e.author.name,`:`]}),` `,e.body]},e.id))}),(0,q.jsx)(qe,{cardId:e.id})]})}function Ge({card:e,members:t}){let n=(0,j.useId)(),[r]=z(Ne),{error:i,pending:a,submit:o}=_();return(0,q.jsxs)(`form`,{"aria-label":`Assign the card`,onSubmit:t=>{t.preventDefault();let n=String(new FormData(t.currentTarget).get(`userId`));o(()=>r({variables:{cardId:e.id,userId:n}}))},children:[(0,q.jsx)(`label`,{htmlFor:`${n}-user`,children:`Assignee`}),(0,q.jsx)(`select`,{id:`${n}-user`,name:`userId`,required:!0,children:t.map(e=>(0,q.jsx)(`option`,{value:e.id,children:e.name},e.id))}),(0,q.jsx)(`button`,{type:`submit`,disabled:a,children:`Assign`}),(0,q.jsx)(y,{error:i})]})}function Ke({card:e}){let t=(0,j.useId)(),[n]=z(Me),{error:r,pending:i,submit:a}=_();return(0,q.jsxs)(`form`,{"aria-label":`Edit the card`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget),i=String(r.get(`description`)).trim();a(()=>n({variables:{id:e.id,input:{title:String(r.get(`title`)),description:i===``?null:i}}}))},children:[(0,q.jsx)(`label`,{htmlFor:`${t}-title`,children:`Title`}),(0,q.jsx)(`input`,{id:`${t}-title`,name:`title`,required:!0,defaultValue:e.title}),(0,q.jsx)(`label`,{htmlFor:`${t}-description`,children:`Description`}),(0,q.jsx)(`input`,{id:`${t}-description`,name:`description`,defaultValue:e.description??``}),(0,q.jsx)(`button`,{type:`submit`,disabled:i,children:`Save card`}),(0,q.jsx)(y,{error:r})]})}function qe({cardId:e}){let t=(0,j.useId)(),[n]=z(Pe,{refetchQueries:[K]}),{error:r,pending:i,submit:a}=_();return(0,q.jsxs)(`form`,{"aria-label":`Comment on the card`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`body`));a(async()=>{await n({variables:{cardId:e,body:i},awaitRefetchQueries:!0}),r.reset()})},children:[(0,q.jsx)(`label`,{htmlFor:`${t}-body`,children:`Comment`}),(0,q.jsx)(`textarea`,{id:`${t}-body`,name:`body`,required:!0,rows:2}),(0,q.jsx)(`button`,{type:`submit`,disabled:i,children:`Add comment`}),(0,q.jsx)(y,{error:r})]})}var Je=8e3;function Ye({inbox:e,onOpenBoard:t}){let n=(0,j.useId)(),[r]=z(Ee),i=_(),a=_(),{notifications:o,unread:s}=e;return(0,q.jsxs)(`section`,{className:`inbox`,"aria-labelledby":n,children:[(0,q.jsxs)(`div`,{className:`inbox-header`,children:[(0,q.jsx)(`h2`,{id:n,children:`Notifications`}),(0,q.jsx)(Xe,{unread:s,listId:`${n}-list`})]}),(0,q.jsx)(Ze,{status:e.status}),e.listError&&(0,q.jsxs)(q.Fragment,{children:[(0,q.jsx)(y,{error:e.listError}),(0,q.jsx)(`button`,{type:`button`,disabled:a.pending,onClick:()=>void a.submit(e.reloadList),children:`Load notifications again`})]}),(0,q.jsx)(`button`,{type:`button`,disabled:i.pending||s===0,onClick:()=>void i.submit(()=>r()),children:`Mark all read`}),(0,q.jsx)(y,{error:i.error}),o===null?!e.listError&&(0,q.jsx)(`p`,{"aria-busy":`true`,children:`Loading your notifications…`}):o.length===0?(0,q.jsx)(`p`,{children:`No notifications yet. They appear here the moment someone acts on your cards.`}):(0,q.jsx)(`ol`,{id:`${n}-list`,className:`notification-list`,"aria-label":`Your notifications`,children:o.map(e=>(0,q.jsx)(Qe,{notification:e,onOpenBoard:t},e.id))}),(0,q.jsx)($e,{toasts:e.arrivals,onDismiss:e.dismissArrival})]})}function Xe({unread:e,listId:t}){return(0,q.jsxs)(`a`,{className:`bell`,href:`#${t}`,"aria-label":`Notifications: ${e} unread`,children:[(0,q.jsx)(`svg`,{viewBox:`0 0 24 24`,width:`24`,height:`24`,"aria-hidden":`true`,children:(0,q.jsx)(`path`,{fill:`currentColor`,d:`M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z`})}),(0,q.jsx)(`span`,{className:e>0?`badge`:`badge badge-zero`,"aria-hidden":`true`,children:e})]})}function Ze({status:e}){let t={off:`Live updates: starting…`,listening:`Live updates: on`,reconnecting:`Live updates: connection lost, reconnecting…`}[e];return(0,q.jsx)(`p`,{className:`live-status`,"aria-live":`polite`,children:t})}function Qe({notification:e,onOpenBoard:t}){let[n]=z(Te),{error:r,pending:i,submit:a}=_(),o=e.readAt==null,s=e.card?.board;return(0,q.jsxs)(`li`,{className:o?`notification unread`:`notification`,children:[(0,q.jsxs)(`p`,{className:`message`,children:[o&&(0,q.jsx)(`span`,{className:`visually-hidden`,children:`Unread: `}),e.message]}),(0,q.jsxs)(`p`,{className:`meta`,children:[e.actor?`by ${e.actor.name}, `:``,(0,q.jsx)(J,{iso:e.createdAt})]}),e.post&&(0,q.jsx)(`img`,{className:`thumbnail`,src:e.post.imageUrl,alt:e.post.caption??`A posted photo`}),(0,q.jsxs)(`div`,{className:`actions`,children:[o&&(0,q.jsx)(`button`,{type:`button`,disabled:i,onClick:()=>void a(()=>n({variables:{id:e.id}})),children:`Mark read`}),s&&(0,q.jsxs)(`button`,{type:`button`,onClick:()=>t(s.id),children:[`Open board `,s.name]})]}),(0,q.jsx)(y,{error:r})]})}function $e({toasts:e,onDismiss:t}){return(0,q.jsx)(`section`,{className:`toasts`,"aria-label":`New notifications`,children:e.map(e=>(0,q.jsx)(et,{notification:e,onDismiss:t},e.id))})}function et({notification:e,onDismiss:t}){let n=(0,j.useRef)(void 0);return(0,j.useEffect)(()=>(n.current=setTimeout(()=>t(e.id),Je),()=>clearTimeout(n.current)),[e.id,t]),(0,q.jsxs)(`div`,{role:`status`,className:`toast`,children:[(0,q.jsx)(`p`,{className:`message`,children:e.message}),(0,q.jsxs)(`p`,{className:`meta`,children:[e.actor?`by ${e.actor.name}, `:``,(0,q.jsx)(J,{iso:e.createdAt})]}),(0,q.jsx)(`button`,{type:`button`,onClick:()=>t(e.id),children:`Dismiss`})]})}var tt=new Intl.DateTimeFormat(void 0,{dateStyle:`medium`,timeStyle:`medium`});function J({iso:e}){return(0,q.jsx)(`time`,{dateTime:e,children:tt.format(new Date(e))})}function nt(){let e=(0,j.useId)();return(0,q.jsxs)(`section`,{className:`photos`,"aria-labelledby":e,children:[(0,q.jsx)(`h2`,{id:e,children:`Photos`}),(0,q.jsxs)(`div`,{className:`forms`,children:[(0,q.jsx)(rt,{}),(0,q.jsx)(it,{})]})]})}function rt(){let e=(0,j.useId)(),[t]=z(Fe),[n,r]=(0,j.useState)(null),{error:i,pending:a,submit:o}=_();return(0,q.jsxs)(`form`,{"aria-label":`Follow a user`,onSubmit:e=>{e.preventDefault();let n=e.currentTarget,i=String(new FormData(n).get(`userId`)).trim();o(async()=>{let{data:e}=await t({variables:{userId:i}});e&&(r(e.follow.name),n.reset())})},children:[(0,q.jsx)(`label`,{htmlFor:`${e}-user`,children:`User id to follow`}),(0,q.jsx)(`input`,{id:`${e}-user`,name:`userId`,required:!0,inputMode:`numeric`}),(0,q.jsx)(`button`,{type:`submit`,disabled:a,children:`Follow`}),n!==null&&(0,q.jsxs)(`p`,{children:[`You follow `,n,`: their photos will notify you.`]}),(0,q.jsx)(y,{error:i})]})}function it(){let e=(0,j.useId)(),[t]=z(Ie),[n,r]=(0,j.useState)(null),{error:i,pending:a,submit:o}=_();return(0,q.jsxs)(`form`,{"aria-label":`Post a photo`,onSubmit:e=>{e.preventDefault();let n=e.currentTarget,i=new FormData(n),a=i.get(`photo`),s=String(i.get(`caption`)).trim();a instanceof File&&o(async()=>{let{data:e}=await t({variables:{file:a,caption:s===``?null:s}});e&&(r(e.uploadPost),n.reset())})},children:[(0,q.jsx)(`label`,{htmlFor:`${e}-photo`,children:`Photo`}),(0,q.jsx)(`input`,{id:`${e}-photo`,name:`photo`,type:`file`,accept:`image/*`,required:!0}),(0,q.jsx)(`label`,{htmlFor:`${e}-caption`,children:`Caption`}),(0,q.jsx)(`input`,{id:`${e}-caption`,name:`caption`}),(0,q.jsx)(`button`,{type:`submit`,disabled:a,children:`Post photo`}),(0,q.jsx)(y,{error:i}),n&&(0,q.jsxs)(`figure`,{children:[(0,q.jsx)(`img`,{className:`thumbnail`,src:n.imageUrl,alt:n.caption??`Your photo`}),(0,q.jsxs)(`figcaption`,{children:[`Posted`,n.caption?`: ${n.caption}`:``]})]})]})}var at={CARD_ASSIGNED:`You are assigned to a card`,CARD_UPDATED:`A card you are assigned to is edited`,COMMENT_ADDED:`Someone comments on a card you created or are assigned to`,POST_UPLOADED:`Someone you follow posts a photo`,CHAT_MENTION:`Someone mentions you in a chat room`};function ot({preferences:e}){let t=(0,j.useId)();return(0,q.jsxs)(`section`,{className:`settings`,"aria-labelledby":t,children:[(0,q.jsx)(`h2`,{id:t,children:`Notification settings`}),e===null?(0,q.jsx)(`p`,{"aria-busy":`true`,children:`Waiting for the live connection to bring your settings…`}):(0,q.jsxs)(q.Fragment,{children:[(0,q.jsxs)(`fieldset`,{children:[(0,q.jsx)(`legend`,{children:`Tell me in the inbox when`}),e.kinds.filter(e=>e.channel===`IN_APP`).map(e=>(0,q.jsx)(st,{kind:e.kind,enabled:e.enabled},e.kind))]}),(0,q.jsx)(ct,{boards:e.mutedBoards})]})]})}function st({kind:e,enabled:t}){let n=(0,j.useId)(),[r]=z(De),{error:i,pending:a,submit:o}=_();return(0,q.jsxs)(`div`,{className:`toggle`,children:[(0,q.jsx)(`input`,{id:n,type:`checkbox`,checked:t,disabled:a,onChange:()=>void o(()=>r({variables:{kind:e,enabled:!t}}))}),(0,q.jsx)(`label`,{htmlFor:n,children:at[e]}),(0,q.jsx)(y,{error:i})]})}function ct({boards:e}){let t=(0,j.useId)();return(0,q.jsxs)(q.Fragment,{children:[(0,q.jsx)(`h3`,{id:t,children:`Muted boards`}),e.length===0?(0,q.jsx)(`p`,{className:`muted`,children:`None. Mute a board from its page: nothing on it will notify you.`}):(0,q.jsx)(`ul`,{className:`muted-boards`,"aria-labelledby":t,children:e.map(e=>(0,q.jsx)(`li`,{children:(0,q.jsx)(lt,{board:e})},e.id))})]})}function lt({board:e}){let[t]=z(G),{error:n,pending:r,submit:i}=_();return(0,q.jsxs)(q.Fragment,{children:[e.name,` `,(0,q.jsxs)(`button`,{type:`button`,disabled:r,onClick:()=>void i(()=>t({variables:{boardId:e.id}})),children:[`Unmute board `,e.name]}),(0,q.jsx)(y,{error:n})]})}function ut({notice:e,onSignedIn:t}){return(0,q.jsxs)(`main`,{className:`sign-in`,children:[e!==null&&(0,q.jsxs)(`p`,{role:`alert`,className:`error`,children:[`Your session has ended: `,e,`. Please sign in again.`]}),(0,q.jsx)(`p`,{children:`Each browser tab signs in on its own, so two tabs can be two users: sign up as Alice here and as Bob in another tab, then watch Bob's actions reach Alice live.`}),(0,q.jsxs)(`div`,{className:`forms`,children:[(0,q.jsx)(dt,{onSignedIn:t}),(0,q.jsx)(ft,{onSignedIn:t})]})]})}function dt({onSignedIn:e}){let t=(0,j.useId)(),[n]=z(Se),{error:r,pending:i,submit:a}=_();return(0,q.jsxs)(`form`,{"aria-labelledby":`${t}-title`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget);a(async()=>{let{data:t}=await n({variables:{input:{name:String(r.get(`name`)),email:String(r.get(`email`)),password:String(r.get(`password`))}}});t&&e(t.signUp)})},children:[(0,q.jsx)(`h2`,{id:`${t}-title`,children:`Sign up`}),(0,q.jsx)(`label`,{htmlFor:`${t}-name`,children:`Name`}),(0,q.jsx)(`input`,{id:`${t}-name`,name:`name`,required:!0,autoComplete:`name`}),(0,q.jsx)(`label`,{htmlFor:`${t}-email`,children:`Email`}),(0,q.jsx)(`input`,{id:`${t}-email`,name:`email`,type:`email`,required:!0,autoComplete:`email`}),(0,q.jsx)(`label`,{htmlFor:`${t}-password`,children:`Password`}),(0,q.jsx)(`input`,{id:`${t}-password`,name:`password`,type:`password`,required:!0,autoComplete:`new-password`}),(0,q.jsx)(`button`,{type:`submit`,disabled:i,children:`Sign up`}),(0,q.jsx)(y,{error:r})]})}function ft({onSignedIn:e}){let t=(0,j.useId)(),[n]=z(Ce),{error:r,pending:i,submit:a}=_();return(0,q.jsxs)(`form`,{"aria-labelledby":`${t}-title`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget);a(async()=>{let{data:t}=await n({variables:{email:String(r.get(`email`)),password:String(r.get(`password`))}});t&&e(t.logIn)})},children:[(0,q.jsx)(`h2`,{id:`${t}-title`,children:`Log in`}),(0,q.jsx)(`label`,{htmlFor:`${t}-email`,children:`Email`}),(0,q.jsx)(`input`,{id:`${t}-email`,name:`email`,type:`email`,required:!0,autoComplete:`email`}),(0,q.jsx)(`label`,{htmlFor:`${t}-password`,children:`Password`}),(0,q.jsx)(`input`,{id:`${t}-password`,name:`password`,type:`password`,required:!0,autoComplete:`current-password`}),(0,q.jsx)(`button`,{type:`submit`,disabled:i,children:`Log in`}),(0,q.jsx)(y,{error:r})]})}var Y=[500,1e3,2e3,5e3,1e4],pt=new Set([`BAD_USER_INPUT`,`CURSOR_EXPIRED`]);function mt(e,t){let n=P(),[r,i]=(0,j.useState)(`off`),a=(0,j.useRef)(t);return a.current=t,(0,j.useEffect)(()=>{let t=null,r=!1,o=0,c,u,d=()=>{u=n.subscribe({query:we,variables:{userId:e,after:t}}).subscribe({next:({data:e,error:n})=>{if(n)return f(n);let r=e?.inbox;r&&(o=0,i(`listening`),t!==null&&r.version<=t||(t=r.version,a.current(r)))},error:f,complete:()=>f(null)})};function f(e){if(u?.unsubscribe(),r)return;if(s(e))return d();if(l.is(e)){let n=e.errors[0]?.extensions?.code;if(n===`UNAUTHENTICATED`)return;typeof n==`string`&&pt.has(n)&&(t=null)}i(`reconnecting`);let n=Y[Math.min(o,Y.length-1)];o+=1,c=setTimeout(d,n)}return d(),()=>{r=!0,clearTimeout(c),u?.unsubscribe(),i(`off`)}},[n,e]),r}var X={query:W,variables:{first:50}};function Z(e){let t=P(),[n,r]=(0,j.useState)(null),[i]=(0,j.useState)(()=>new ht(t,r)),a=H(W,{...X,fetchPolicy:`cache-only`}),[o,s]=(0,j.useState)(null),[c,l]=(0,j.useState)(null),[u,d]=(0,j.useState)([]);(0,j.useEffect)(()=>{i.load()},[i]);let f=mt(e,e=>{s(e.unreadCount),e.preferences&&l(e.preferences);let t=e.notification;t&&d(e=>[...e,t]),i.apply(e)}),p=(0,j.useCallback)(()=>i.load(),[i]),m=(0,j.useCallback)(e=>{d(t=>t.filter(t=>t.id!==e))},[]),h=a.data?.notifications.edges;return{notifications:(0,j.useMemo)(()=>h?.map(e=>e.node)??null,[h]),listError:n,reloadList:p,unread:o??a.data?.unreadNotificationCount??0,preferences:c,status:f,arrivals:u,dismissArrival:m}}var ht=class{client;onError;waiting=null;loads=0;constructor(e,t){this.client=e,this.onError=t}async load(){let e=++this.loads;this.waiting??=[];try{let{data:t}=await this.client.query({...X,fetchPolicy:`no-cache`,context:{queryDeduplication:!1}});if(e!==this.loads)return;this.client.cache.writeQuery({...X,data:t}),this.onError(null)}catch(t){if(e!==this.loads)return;this.onError(h(t))}let t=this.waiting??[];this.waiting=null;for(let e of t)this.apply(e)}apply(e){if(e.kind===`STATE`)this.load();else if(this.waiting!==null)this.waiting.push(e);else switch(e.kind){case`NOTIFICATION`:e.notification&&this.add(e.notification);break;case`READ`:this.markRead(e.readIds);break;case`ALL_READ`:e.allReadUpTo!==null&&this.markReadUpTo(e.allReadUpTo);break;case`PREFERENCES`:break;default:this.load()}}add(e){this.client.cache.updateQuery(X,t=>{if(t&&!t.notifications.edges.some(t=>t.node.id===e.id))return{...t,notifications:{...t.notifications,edges:[{__typename:`NotificationEdge`,cursor:e.cursor,node:e},...t.notifications.edges]}}})}markRead(e){let t=gt();for(let n of e)this.client.cache.modify({id:this.client.cache.identify({__typename:`Notification`,id:n}),fields:{readAt:e=>e??t}})}markReadUpTo(e){let t=this.client.cache.readQuery(X);if(!t)return;let n=t.notifications.edges,r=n.findIndex(t=>t.cursor===e);r===-1?n.length>0&&this.load():this.markRead(n.slice(r).map(e=>e.node.id))}};function gt(){return new Date().toISOString()}function _t(){let[e,t]=(0,j.useState)(()=>ee()===null?{signedIn:!1,notice:null}:{signedIn:!0}),[n]=(0,j.useState)(()=>p({onSessionEnded:e=>t({signedIn:!1,notice:e})}));return(0,q.jsxs)(oe,{client:n.apollo,children:[(0,q.jsxs)(`header`,{className:`page-header`,children:[(0,q.jsx)(`h1`,{children:`Herald inbox`}),(0,q.jsxs)(`nav`,{"aria-label":`Playground`,children:[(0,q.jsx)(`a`,{href:`/`,children:`About Herald`}),` · `,(0,q.jsx)(`a`,{href:`/graphiql`,children:`GraphiQL`})]})]}),e.signedIn?(0,q.jsx)(vt,{onSignOut:()=>{n.signOut(),n.apollo.clearStore(),t({signedIn:!1,notice:null})}}):(0,q.jsx)(ut,{notice:e.notice,onSignedIn:e=>{n.apollo.clearStore(),n.signIn(e),t({signedIn:!0})}})]})}function vt({onSignOut:e}){let{data:t,error:n}=H(xe);return n?(0,q.jsxs)(`main`,{children:[(0,q.jsx)(y,{error:h(n)}),(0,q.jsx)(`button`,{type:`button`,onClick:e,children:`Sign out`})]}):t?(0,q.jsx)(yt,{me:t.me,onSignOut:e}):(0,q.jsx)(`p`,{"aria-busy":`true`,children:`Checking your session…`})}function yt({me:e,onSignOut:t}){let[n,r]=(0,j.useState)(()=>sessionStorage.getItem(Q)),i=e=>{sessionStorage.setItem(Q,e),r(e)},a=Z(e.id),o=a.preferences?.mutedBoards,s=(0,j.useMemo)(()=>o===void 0?null:new Set(o.map(e=>e.id)),[o]);return(0,q.jsxs)(q.Fragment,{children:[(0,q.jsxs)(`section`,{className:`whoami`,"aria-label":`Your account`,children:[(0,q.jsxs)(`p`,{children:[`Signed in as `,(0,q.jsx)(`strong`,{children:e.name}),e.email!==null&&` (${e.email})`,`. Your user id is`,` `,(0,q.jsx)(`strong`,{children:e.id}),`: others need it to add you to a board or follow you.`]}),(0,q.jsx)(`button`,{type:`button`,onClick:t,children:`Sign out`})]}),(0,q.jsxs)(`main`,{className:`workspace`,children:[(0,q.jsx)(Ye,{inbox:a,onOpenBoard:i}),(0,q.jsxs)(`div`,{className:`activity`,children:[(0,q.jsx)(ot,{preferences:a.preferences}),(0,q.jsx)(Le,{me:e,boardId:n,mutedBoardIds:s,onOpenBoard:i}),(0,q.jsx)(nt,{})]})]})]})}var Q=`herald.inbox.board`,$=document.getElementById(`root`);if($===null)throw Error(`the page has no #root element`);(0,be.createRoot)($).render((0,q.jsx)(j.StrictMode,{children:(0,q.jsx)(_t,{})}));