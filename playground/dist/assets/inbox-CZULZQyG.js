import{D as e,J as t,Q as n,S as r,T as i,Y as a,_ as o,a as s,b as c,d as l,f as u,g as d,h as f,i as p,m,n as h,o as g,p as _,r as v,s as y,t as b,u as x,v as S,w as C,x as ee,y as te}from"./errors-CD709w0S.js";/* empty css               */var ne=1,w,T={};function E(e){return e in T&&(delete T[e],!0)}var D={setImmediate:function(e){var t=ne++;return T[t]=!0,w||=Promise.resolve(),w.then(function(){return E(t)&&e()}),t},clearImmediate:function(e){E(e)}},re=D.setImmediate,ie=D.clearImmediate,O={setImmediate:function(){var t=[...arguments];return(O.delegate?.setImmediate||re).apply(void 0,e([],i(t)))},clearImmediate:function(e){return(O.delegate?.clearImmediate||ie)(e)},delegate:void 0},ae=function(e){C(t,e);function t(t,n){var r=e.call(this,t,n)||this;return r.scheduler=t,r.work=n,r}return t.prototype.requestAsyncId=function(t,n,r){return r===void 0&&(r=0),r!==null&&r>0?e.prototype.requestAsyncId.call(this,t,n,r):(t.actions.push(this),t._scheduled||=O.setImmediate(t.flush.bind(t,void 0)))},t.prototype.recycleAsyncId=function(t,n,r){if(r===void 0&&(r=0),r==null?this.delay>0:r>0)return e.prototype.recycleAsyncId.call(this,t,n,r);var i=t.actions;n!=null&&i[i.length-1]?.id!==n&&(O.clearImmediate(n),t._scheduled===n&&(t._scheduled=void 0))},t}(ee),oe=new(function(e){C(t,e);function t(){return e!==null&&e.apply(this,arguments)||this}return t.prototype.flush=function(e){this._active=!0;var t=this._scheduled;this._scheduled=void 0;var n=this.actions,r;e||=n.shift();do if(r=e.execute(e.state,e.delay))break;while((e=n[0])&&e.id===t&&n.shift());if(this._active=!1,r){for(;(e=n[0])&&e.id===t&&n.shift();)e.unsubscribe();throw r}},t}(c))(ae),k=typeof S(()=>window.document.createElement)==`function`,A=n(t(),1),j=Symbol.for(`__APOLLO_CONTEXT__`);function M(){o(`createContext`in A,39);let e=A.createContext[j];return e||(Object.defineProperty(A.createContext,j,{value:e=A.createContext({}),enumerable:!1,writable:!1,configurable:!0}),e.displayName=`ApolloContext`),e}var se=({client:e,children:t})=>{let n=M(),r=A.useContext(n),i=A.useMemo(()=>({...r,client:e||r.client}),[r,e]);return o(i.client,40),A.createElement(n.Provider,{value:i},t)};function N(e){let t=A.useContext(M()),n=e||t.client;return o(!!n,30),n}function ce(e,t){let n=A.useRef(void 0);return n.current&&_(n.current.deps,t)||(n.current={value:e(),deps:t}),n.current.value}var le=Symbol.for(`apollo.skipToken`),ue=Symbol.for(`apollo.hook.wrappers`);function de(e,t,n){let r=[n.queryManager,e.startsWith(`use`)?A.useContext(M()):void 0],i=t;for(let t of r){let n=t?.[ue]?.[e];n&&(i=n(i))}return i}var fe=k?A.useLayoutEffect:A.useEffect,pe=A.useSyncExternalStore,me=S(()=>navigator.product)==`ReactNative`,he=S(()=>navigator.userAgent.indexOf(`jsdom`)>=0)||!1,ge=(k||me)&&!he,_e=pe||((e,t,n)=>{let r=t(),[{inst:i},a]=A.useState({inst:{value:r,getSnapshot:t}});return ge?A.useLayoutEffect(()=>{Object.assign(i,{value:r,getSnapshot:t}),P(i)&&a({inst:i})},[e,r,t]):Object.assign(i,{value:r,getSnapshot:t}),A.useEffect(()=>(P(i)&&a({inst:i}),e(function(){P(i)&&a({inst:i})})),[e]),r});function P({value:e,getSnapshot:t}){try{return e!==t()}catch{return!0}}var F=function(e,t){let n=N(t?.client),[r,i]=A.useState(()=>I(n)),a=A.useRef({result:r,mutationId:0,isMounted:!0,client:n,mutation:e,options:t});fe(()=>{Object.assign(a.current,{client:n,options:t,mutation:e})});let o=A.useCallback((e={})=>{let{options:t,mutation:n}=a.current,r={...t,mutation:n},o=e.client||a.current.client,s=typeof e.context==`function`?e.context(t?.context):e.context;!a.current.result.loading&&a.current.isMounted&&i(a.current.result={loading:!0,error:void 0,data:void 0,called:!0,client:o});let c=++a.current.mutationId,l=f(r,{...e,context:s});return m(o.mutate(l).then(t=>{let{data:n,error:r}=t,s=e.onError||a.current.options?.onError;if(r&&s&&s(r,l),c===a.current.mutationId){let e={called:!0,loading:!1,data:n,error:r,client:o};a.current.isMounted&&!_(a.current.result,e)&&i(a.current.result=e)}let u=e.onCompleted||a.current.options?.onCompleted;return r||u?.(t.data,l),t},t=>{if(c===a.current.mutationId&&a.current.isMounted){let e={loading:!1,error:t,data:void 0,called:!0,client:o};_(a.current.result,e)||i(a.current.result=e)}let n=e.onError||a.current.options?.onError;throw n&&n(t,l),t}))},[]),s=A.useCallback(()=>{if(a.current.isMounted){let e=I(a.current.client);Object.assign(a.current,{mutationId:0,result:e}),i(e)}},[]);return A.useEffect(()=>{let e=a.current;return e.isMounted=!0,()=>{e.isMounted=!1}},[]),[o,{reset:s,...r}]};function I(e){return{data:void 0,error:void 0,called:!1,loading:!1,client:e}}var L=Symbol(),R=function(e,...[t]){"use no memo";return de(`useQuery`,ve,N(typeof t==`object`?t.client:void 0))(e,t)};function ve(e,t={}){let n=N(typeof t==`object`?t.client:void 0),{ssr:r}=typeof t==`object`?t:{},i=ye(e,t,n.defaultOptions.watchQuery);function a(t){let r=n.watchQuery(i);return{client:n,query:e,observable:r,resultData:{current:r.getCurrentResult(),previousData:t?.resultData.current.data,variables:r.variables}}}let[o,s]=A.useState(a);(n!==o.client||e!==o.query)&&s(o=a(o));let{observable:c,resultData:l}=o;be(i,c),Se(l,c,i);let u=xe(c,l,r),d=A.useMemo(()=>({refetch:c.refetch.bind(c),fetchMore:c.fetchMore.bind(c),updateQuery:c.updateQuery.bind(c),startPolling:c.startPolling.bind(c),stopPolling:c.stopPolling.bind(c),subscribeToMore:c.subscribeToMore.bind(c)}),[c]),f=l.previousData;return A.useMemo(()=>{let{partial:e,...t}=u;return{...t,client:n,observable:c,variables:c.variables,previousData:f,...d}},[u,n,c,f,d])}var z=Symbol();function ye(e,t,n){return ce(()=>{if(t===le){let t={...f(n,{query:e,fetchPolicy:`standby`}),[u]:!0};return t[z]=!0,t}let r=f(n,{...t,query:e});return t.skip&&(r.initialFetchPolicy=t.initialFetchPolicy||t.fetchPolicy,r.fetchPolicy=`standby`),r},[e,t,n])}function be(e,t){"use no memo";e.fetchPolicy||=t.options.initialFetchPolicy}function xe(e,t,n){"use no memo";let r=e.options.fetchPolicy;return _e(A.useCallback(n=>{let r=e.pipe(te(oe)).subscribe(r=>{let i=t.current;_(i,r)&&_(t.variables,e.variables)||(t.variables=e.variables,i.data&&!_(i.data,r.data)&&(t.previousData=i.data),t.current=r,n())});return()=>{setTimeout(()=>r.unsubscribe())}},[e,t]),()=>t.current,()=>r!==`standby`&&n===!1||r===`no-cache`?R.ssrDisabledResult:t.current)}function Se(e,t,n){"use no memo";if(t[L]&&!_(t[L],n)){t[L][z]&&!n.initialFetchPolicy&&(n.initialFetchPolicy=n.fetchPolicy),Ce(t[L],n)?t.reobserve(n):t.applyOptions(n);let r=t.getCurrentResult();_(r.data,e.current.data)||(e.previousData=e.current.data||e.previousData),e.current=r,e.variables=t.variables}t[L]=n}function Ce(e,t){return e.query!==t.query||!_(e.variables,t.variables)||e.fetchPolicy!==t.fetchPolicy&&(t.fetchPolicy===`standby`||e.fetchPolicy===`standby`)}R.ssrDisabledResult=d({loading:!0,data:void 0,dataState:`empty`,error:void 0,networkStatus:x.loading,partial:!0});var we=r();y(`
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
`),y(`
  fragment NotificationGroupFields on NotificationGroup {
    key
    cursor
    kind
    count
    actorCount
    actors {
      id
      name
    }
    latest {
      id
      card {
        id
        board {
          id
          name
        }
      }
    }
    latestAt
    message
  }
`),y(`
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
`);var Te=y(`
  query Me {
    me {
      id
      name
      email
    }
  }
`),Ee=y(`
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
`),De=y(`
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
`),B=y(`
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
`),V=y(`
  query NotificationGroups($first: Int!, $after: String) {
    notificationGroups(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...NotificationGroupFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);y(`
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
`);var Oe=y(`
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
      groupKeys
      groups {
        ...NotificationGroupFields
      }
    }
  }
`),ke=y(`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      readAt
    }
  }
`),Ae=y(`
  mutation MarkNotificationGroupRead($key: String!, $upTo: String) {
    markNotificationGroupRead(key: $key, upTo: $upTo)
  }
`),je=y(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`),Me=y(`
  mutation SetNotificationPreference($kind: NotificationKind!, $enabled: Boolean!) {
    setNotificationPreference(kind: $kind, channel: IN_APP, enabled: $enabled) {
      ...NotificationPreferencesFields
    }
  }
`),Ne=y(`
  mutation MuteBoard($boardId: ID!) {
    muteBoard(boardId: $boardId) {
      id
      muted
    }
  }
`),H=y(`
  mutation UnmuteBoard($boardId: ID!) {
    unmuteBoard(boardId: $boardId) {
      id
      muted
    }
  }
`),U=y(`
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
`),Pe=y(`
  mutation CreateBoard($name: String!) {
    createBoard(name: $name) {
      id
      name
    }
  }
`),Fe=y(`
  mutation AddBoardMember($boardId: ID!, $userId: ID!) {
    addBoardMember(boardId: $boardId, userId: $userId) {
      id
      members(first: 100) {
        id
        name
      }
    }
  }
`),Ie=y(`
  mutation CreateCard($boardId: ID!, $title: String!, $description: String) {
    createCard(boardId: $boardId, title: $title, description: $description) {
      ...CardFields
    }
  }
`),Le=y(`
  mutation UpdateCard($id: ID!, $input: UpdateCardInput!) {
    updateCard(id: $id, input: $input) {
      ...CardFields
    }
  }
`),Re=y(`
  mutation AssignCard($cardId: ID!, $userId: ID!) {
    assignCard(cardId: $cardId, userId: $userId) {
      ...CardFields
    }
  }
`),ze=y(`
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
`),Be=y(`
  mutation Follow($userId: ID!) {
    follow(userId: $userId) {
      id
      name
    }
  }
`),Ve=y(`
  mutation UploadPost($file: Upload!, $caption: String) {
    uploadPost(file: $file, caption: $caption) {
      id
      imageUrl
      caption
      createdAt
    }
  }
`),W=a();function He({me:e,boardId:t,mutedBoardIds:n,onOpenBoard:r}){let i=(0,A.useId)();return(0,W.jsxs)(`section`,{className:`boards`,"aria-labelledby":i,children:[(0,W.jsx)(`h2`,{id:i,children:`Boards`}),(0,W.jsxs)(`div`,{className:`forms`,children:[(0,W.jsx)(Ue,{onCreated:r}),(0,W.jsx)(We,{onOpen:r})]}),t!==null&&(0,W.jsx)(Ge,{id:t,me:e,mutedBoardIds:n},t)]})}function Ue({onCreated:e}){let t=(0,A.useId)(),[n]=F(Pe),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Create a board`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`name`));a(async()=>{let{data:t}=await n({variables:{name:i}});t&&(r.reset(),e(t.createBoard.id))})},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-name`,children:`Board name`}),(0,W.jsx)(`input`,{id:`${t}-name`,name:`name`,required:!0}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Create board`}),(0,W.jsx)(b,{error:r})]})}function We({onOpen:e}){let t=(0,A.useId)();return(0,W.jsxs)(`form`,{"aria-label":`Open a board`,onSubmit:t=>{t.preventDefault(),e(String(new FormData(t.currentTarget).get(`boardId`)).trim())},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-board`,children:`Board id`}),(0,W.jsx)(`input`,{id:`${t}-board`,name:`boardId`,required:!0,inputMode:`numeric`}),(0,W.jsx)(`button`,{type:`submit`,children:`Open board`})]})}function Ge({id:e,me:t,mutedBoardIds:n}){let r=(0,A.useId)(),{data:i,error:a,loading:o,refetch:s}=R(U,{variables:{id:e}}),c=v();if(o&&!i)return(0,W.jsxs)(`p`,{"aria-busy":`true`,children:[`Loading board `,e,`…`]});if(a)return(0,W.jsx)(b,{error:h(a)});let l=i?.board;if(!l)return(0,W.jsxs)(`p`,{role:`alert`,className:`error`,children:[(0,W.jsx)(`code`,{children:`NOT_FOUND`}),` Board `,e,` does not exist, or you are not one of its members.`]});let u=l.owner.id===t.id;return(0,W.jsxs)(`article`,{className:`board`,"aria-labelledby":r,children:[(0,W.jsxs)(`h3`,{id:r,children:[l.name,` `,(0,W.jsxs)(`span`,{className:`muted`,children:[`(board id `,l.id,`)`]})]}),(0,W.jsxs)(`p`,{children:[`Owner: `,l.owner.name,`. Members: `,l.members.map(e=>e.name).join(`, `),`.`,` `,(0,W.jsx)(`button`,{type:`button`,disabled:c.pending,onClick:()=>void c.submit(s),children:`Reload board`})]}),(0,W.jsx)(b,{error:c.error}),n!==null&&(0,W.jsx)(Ke,{boardId:l.id,muted:n.has(l.id)}),(0,W.jsxs)(`div`,{className:`forms`,children:[u&&(0,W.jsx)(G,{boardId:l.id}),(0,W.jsx)(qe,{boardId:l.id})]}),l.cards.length===0?(0,W.jsx)(`p`,{children:`No cards yet.`}):(0,W.jsx)(`ul`,{className:`cards`,children:l.cards.map(e=>(0,W.jsx)(`li`,{children:(0,W.jsx)(Je,{card:e,members:l.members})},e.id))})]})}function Ke({boardId:e,muted:t}){let n=(0,A.useId)(),[r]=F(Ne),[i]=F(H),{error:a,pending:o,submit:s}=v();return(0,W.jsxs)(`div`,{className:`toggle`,children:[(0,W.jsx)(`input`,{id:n,type:`checkbox`,checked:t,disabled:o,onChange:()=>void s(()=>(t?i:r)({variables:{boardId:e}}))}),(0,W.jsx)(`label`,{htmlFor:n,children:`Mute notifications from this board`}),(0,W.jsx)(b,{error:a})]})}function G({boardId:e}){let t=(0,A.useId)(),[n]=F(Fe),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Add a member`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`userId`)).trim();a(async()=>{await n({variables:{boardId:e,userId:i}}),r.reset()})},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-user`,children:`Member's user id`}),(0,W.jsx)(`input`,{id:`${t}-user`,name:`userId`,required:!0,inputMode:`numeric`}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Add member`}),(0,W.jsx)(b,{error:r})]})}function qe({boardId:e}){let t=(0,A.useId)(),[n]=F(Ie,{refetchQueries:[U]}),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Add a card`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=new FormData(r),o=String(i.get(`description`)).trim();a(async()=>{await n({variables:{boardId:e,title:String(i.get(`title`)),description:o===``?null:o},awaitRefetchQueries:!0}),r.reset()})},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-title`,children:`Card title`}),(0,W.jsx)(`input`,{id:`${t}-title`,name:`title`,required:!0}),(0,W.jsx)(`label`,{htmlFor:`${t}-description`,children:`Card description`}),(0,W.jsx)(`input`,{id:`${t}-description`,name:`description`}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Add card`}),(0,W.jsx)(b,{error:r})]})}function Je({card:e,members:t}){let n=(0,A.useId)();return(0,W.jsxs)(`article`,{className:`card`,"aria-labelledby":n,children:[(0,W.jsx)(`h4`,{id:n,children:e.title}),e.description&&(0,W.jsx)(`p`,{children:e.description}),(0,W.jsxs)(`p`,{className:`meta`,children:[`Created by `,e.creator.name,`. Assigned to:`,` `,e.assignees.length===0?`nobody`:e.assignees.map(e=>e.name).join(`, `),`.`]}),(0,W.jsxs)(`div`,{className:`forms`,children:[(0,W.jsx)(Ye,{card:e,members:t}),(0,W.jsx)(Xe,{card:e})]}),(0,W.jsx)(`h5`,{children:`Comments`}),e.comments.length===0?(0,W.jsx)(`p`,{className:`muted`,children:`No comments yet.`}):(0,W.jsx)(`ul`,{className:`comments`,children:e.comments.map(e=>(0,W.jsxs)(`li`,{children:[(0,W.jsxs)(`strong`,{children:[e.author.name,`:`]}),` `,e.body]},e.id))}),(0,W.jsx)(Ze,{cardId:e.id})]})}function Ye({card:e,members:t}){let n=(0,A.useId)(),[r]=F(Re),{error:i,pending:a,submit:o}=v();return(0,W.jsxs)(`form`,{"aria-label":`Assign the card`,onSubmit:t=>{t.preventDefault();let n=String(new FormData(t.currentTarget).get(`userId`));o(()=>r({variables:{cardId:e.id,userId:n}}))},children:[(0,W.jsx)(`label`,{htmlFor:`${n}-user`,children:`Assignee`}),(0,W.jsx)(`select`,{id:`${n}-user`,name:`userId`,required:!0,children:t.map(e=>(0,W.jsx)(`option`,{value:e.id,children:e.name},e.id))}),(0,W.jsx)(`button`,{type:`submit`,disabled:a,children:`Assign`}),(0,W.jsx)(b,{error:i})]})}function Xe({card:e}){let t=(0,A.useId)(),[n]=F(Le),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Edit the card`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget),i=String(r.get(`description`)).trim();a(()=>n({variables:{id:e.id,input:{title:String(r.get(`title`)),description:i===``?null:i}}}))},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-title`,children:`Title`}),(0,W.jsx)(`input`,{id:`${t}-title`,name:`title`,required:!0,defaultValue:e.title}),(0,W.jsx)(`label`,{htmlFor:`${t}-description`,children:`Description`}),(0,W.jsx)(`input`,{id:`${t}-description`,name:`description`,defaultValue:e.description??``}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Save card`}),(0,W.jsx)(b,{error:r})]})}function Ze({cardId:e}){let t=(0,A.useId)(),[n]=F(ze,{refetchQueries:[U]}),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Comment on the card`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`body`));a(async()=>{await n({variables:{cardId:e,body:i},awaitRefetchQueries:!0}),r.reset()})},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-body`,children:`Comment`}),(0,W.jsx)(`textarea`,{id:`${t}-body`,name:`body`,required:!0,rows:2}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Add comment`}),(0,W.jsx)(b,{error:r})]})}var Qe=8e3,$e={grouped:`Grouped`,all:`All`},K=`herald.inbox.view`;function et(){return localStorage.getItem(K)===`grouped`?`grouped`:`all`}function tt({inbox:e,onOpenBoard:t}){let n=(0,A.useId)(),r=`${n}-list`,[i,a]=(0,A.useState)(et),o=e=>{localStorage.setItem(K,e),a(e)},[s]=F(je),c=v(),{unread:l}=e;return(0,W.jsxs)(`section`,{className:`inbox`,"aria-labelledby":n,children:[(0,W.jsxs)(`div`,{className:`inbox-header`,children:[(0,W.jsx)(`h2`,{id:n,children:`Notifications`}),(0,W.jsx)(at,{unread:l,listId:r})]}),(0,W.jsx)(ot,{status:e.status}),(0,W.jsxs)(`div`,{className:`inbox-controls`,children:[(0,W.jsx)(nt,{view:i,onChange:o}),(0,W.jsx)(`button`,{type:`button`,disabled:c.pending||l===0,onClick:()=>void c.submit(()=>s()),children:`Mark all read`})]}),(0,W.jsx)(b,{error:c.error}),i===`grouped`?(0,W.jsx)(it,{inbox:e,listId:r,onOpenBoard:t}):(0,W.jsx)(rt,{inbox:e,listId:r,onOpenBoard:t}),(0,W.jsx)(dt,{toasts:e.arrivals,onDismiss:e.dismissArrival})]})}function nt({view:e,onChange:t}){let n=(0,A.useId)();return(0,W.jsxs)(`fieldset`,{className:`view-switch`,children:[(0,W.jsx)(`legend`,{children:`Show`}),[`grouped`,`all`].map(r=>(0,W.jsxs)(`label`,{children:[(0,W.jsx)(`input`,{type:`radio`,name:n,value:r,checked:e===r,onChange:()=>t(r)}),$e[r]]},r))]})}function rt({inbox:e,listId:t,onOpenBoard:n}){let r=v(),{notifications:i}=e;return(0,W.jsxs)(W.Fragment,{children:[e.listError&&(0,W.jsxs)(W.Fragment,{children:[(0,W.jsx)(b,{error:e.listError}),(0,W.jsx)(`button`,{type:`button`,disabled:r.pending,onClick:()=>void r.submit(e.reloadList),children:`Load notifications again`})]}),i===null?!e.listError&&(0,W.jsx)(`p`,{"aria-busy":`true`,children:`Loading your notifications…`}):i.length===0?(0,W.jsx)(`p`,{children:`No notifications yet. They appear here the moment someone acts on your cards.`}):(0,W.jsx)(`ol`,{id:t,className:`notification-list`,"aria-label":`Your notifications`,children:i.map(e=>(0,W.jsx)(st,{notification:e,onOpenBoard:n},e.id))})]})}function it({inbox:e,listId:t,onOpenBoard:n}){let r=v(),i=v(),{groups:a}=e;return(0,W.jsxs)(W.Fragment,{children:[e.groupsError&&(0,W.jsxs)(W.Fragment,{children:[(0,W.jsx)(b,{error:e.groupsError}),(0,W.jsx)(`button`,{type:`button`,disabled:r.pending,onClick:()=>void r.submit(e.reloadGroups),children:`Load notifications again`})]}),a===null?!e.groupsError&&(0,W.jsx)(`p`,{"aria-busy":`true`,children:`Loading your notifications…`}):a.length===0?(0,W.jsx)(`p`,{children:`Nothing unread. What happens to one card shows here as one entry.`}):(0,W.jsx)(`ol`,{id:t,className:`notification-list`,"aria-label":`Your unread notifications, grouped`,children:a.map(e=>(0,W.jsx)(ct,{group:e,onOpenBoard:n},e.key))}),e.hasMoreGroups&&(0,W.jsx)(`button`,{type:`button`,disabled:i.pending,onClick:()=>void i.submit(e.loadMoreGroups),children:`Load more groups`}),(0,W.jsx)(b,{error:i.error})]})}function at({unread:e,listId:t}){return(0,W.jsxs)(`a`,{className:`bell`,href:`#${t}`,"aria-label":`Notifications: ${e} unread`,children:[(0,W.jsx)(`svg`,{viewBox:`0 0 24 24`,width:`24`,height:`24`,"aria-hidden":`true`,children:(0,W.jsx)(`path`,{fill:`currentColor`,d:`M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z`})}),(0,W.jsx)(`span`,{className:e>0?`badge`:`badge badge-zero`,"aria-hidden":`true`,children:e})]})}function ot({status:e}){let t={off:`Live updates: starting…`,listening:`Live updates: on`,reconnecting:`Live updates: connection lost, reconnecting…`}[e];return(0,W.jsx)(`p`,{className:`live-status`,"aria-live":`polite`,children:t})}function st({notification:e,onOpenBoard:t}){let[n]=F(ke),{error:r,pending:i,submit:a}=v(),o=e.readAt==null,s=e.card?.board;return(0,W.jsxs)(`li`,{className:o?`notification unread`:`notification`,children:[(0,W.jsxs)(`p`,{className:`message`,children:[o&&(0,W.jsx)(`span`,{className:`visually-hidden`,children:`Unread: `}),e.message]}),(0,W.jsxs)(`p`,{className:`meta`,children:[e.actor?`by ${e.actor.name}, `:``,(0,W.jsx)(q,{iso:e.createdAt})]}),e.post&&(0,W.jsx)(`img`,{className:`thumbnail`,src:e.post.imageUrl,alt:e.post.caption??`A posted photo`}),(0,W.jsxs)(`div`,{className:`actions`,children:[o&&(0,W.jsx)(`button`,{type:`button`,disabled:i,onClick:()=>void a(()=>n({variables:{id:e.id}})),children:`Mark read`}),s&&(0,W.jsxs)(`button`,{type:`button`,onClick:()=>t(s.id),children:[`Open board `,s.name]})]}),(0,W.jsx)(b,{error:r})]})}function ct({group:e,onOpenBoard:t}){let[n]=F(Ae),{error:r,pending:i,submit:a}=v(),o=e.latest.card?.board;return(0,W.jsxs)(`li`,{className:`notification unread`,children:[(0,W.jsxs)(`p`,{className:`message`,children:[e.message,e.count>1&&(0,W.jsxs)(W.Fragment,{children:[` `,(0,W.jsxs)(`span`,{className:`count`,children:[e.count,(0,W.jsx)(`span`,{className:`visually-hidden`,children:` notifications`})]})]})]}),(0,W.jsxs)(`p`,{className:`meta`,children:[(0,W.jsx)(lt,{actors:e.actors,actorCount:e.actorCount}),(0,W.jsx)(q,{iso:e.latestAt})]}),(0,W.jsxs)(`div`,{className:`actions`,children:[(0,W.jsxs)(`button`,{type:`button`,disabled:i,onClick:()=>void a(()=>n({variables:{key:e.key,upTo:e.cursor}})),children:[`Mark`,(0,W.jsxs)(`span`,{className:`visually-hidden`,children:[` “`,e.message,`”`]}),` read`]}),o&&(0,W.jsxs)(`button`,{type:`button`,onClick:()=>t(o.id),children:[`Open board `,o.name]})]}),(0,W.jsx)(b,{error:r})]})}function lt({actors:e,actorCount:t}){if(e.length===0)return null;let n=t-e.length,r=e.map(e=>e.name).join(`, `);return(0,W.jsxs)(`span`,{className:`actors`,children:[e.map(e=>(0,W.jsx)(`span`,{className:`avatar`,title:e.name,"aria-hidden":`true`,children:ut(e.name)},e.id)),n>0&&(0,W.jsxs)(`span`,{className:`avatar`,"aria-hidden":`true`,children:[`+`,n]}),(0,W.jsxs)(`span`,{className:`visually-hidden`,children:[`From `,r,n>0&&` and ${n} more`,`,`,` `]})]})}function ut(e){return e.split(/\s+/).filter(e=>e!==``).slice(0,2).map(e=>(Array.from(e)[0]??``).toUpperCase()).join(``)}function dt({toasts:e,onDismiss:t}){return(0,W.jsx)(`section`,{className:`toasts`,"aria-label":`New notifications`,children:e.map(e=>(0,W.jsx)(ft,{notification:e,onDismiss:t},e.id))})}function ft({notification:e,onDismiss:t}){let n=(0,A.useRef)(void 0);return(0,A.useEffect)(()=>(n.current=setTimeout(()=>t(e.id),Qe),()=>clearTimeout(n.current)),[e.id,t]),(0,W.jsxs)(`div`,{role:`status`,className:`toast`,children:[(0,W.jsx)(`p`,{className:`message`,children:e.message}),(0,W.jsxs)(`p`,{className:`meta`,children:[e.actor?`by ${e.actor.name}, `:``,(0,W.jsx)(q,{iso:e.createdAt})]}),(0,W.jsx)(`button`,{type:`button`,onClick:()=>t(e.id),children:`Dismiss`})]})}var pt=new Intl.DateTimeFormat(void 0,{dateStyle:`medium`,timeStyle:`medium`});function q({iso:e}){return(0,W.jsx)(`time`,{dateTime:e,children:pt.format(new Date(e))})}function mt(){let e=(0,A.useId)();return(0,W.jsxs)(`section`,{className:`photos`,"aria-labelledby":e,children:[(0,W.jsx)(`h2`,{id:e,children:`Photos`}),(0,W.jsxs)(`div`,{className:`forms`,children:[(0,W.jsx)(ht,{}),(0,W.jsx)(gt,{})]})]})}function ht(){let e=(0,A.useId)(),[t]=F(Be),[n,r]=(0,A.useState)(null),{error:i,pending:a,submit:o}=v();return(0,W.jsxs)(`form`,{"aria-label":`Follow a user`,onSubmit:e=>{e.preventDefault();let n=e.currentTarget,i=String(new FormData(n).get(`userId`)).trim();o(async()=>{let{data:e}=await t({variables:{userId:i}});e&&(r(e.follow.name),n.reset())})},children:[(0,W.jsx)(`label`,{htmlFor:`${e}-user`,children:`User id to follow`}),(0,W.jsx)(`input`,{id:`${e}-user`,name:`userId`,required:!0,inputMode:`numeric`}),(0,W.jsx)(`button`,{type:`submit`,disabled:a,children:`Follow`}),n!==null&&(0,W.jsxs)(`p`,{children:[`You follow `,n,`: their photos will notify you.`]}),(0,W.jsx)(b,{error:i})]})}function gt(){let e=(0,A.useId)(),[t]=F(Ve),[n,r]=(0,A.useState)(null),{error:i,pending:a,submit:o}=v();return(0,W.jsxs)(`form`,{"aria-label":`Post a photo`,onSubmit:e=>{e.preventDefault();let n=e.currentTarget,i=new FormData(n),a=i.get(`photo`),s=String(i.get(`caption`)).trim();a instanceof File&&o(async()=>{let{data:e}=await t({variables:{file:a,caption:s===``?null:s}});e&&(r(e.uploadPost),n.reset())})},children:[(0,W.jsx)(`label`,{htmlFor:`${e}-photo`,children:`Photo`}),(0,W.jsx)(`input`,{id:`${e}-photo`,name:`photo`,type:`file`,accept:`image/*`,required:!0}),(0,W.jsx)(`label`,{htmlFor:`${e}-caption`,children:`Caption`}),(0,W.jsx)(`input`,{id:`${e}-caption`,name:`caption`}),(0,W.jsx)(`button`,{type:`submit`,disabled:a,children:`Post photo`}),(0,W.jsx)(b,{error:i}),n&&(0,W.jsxs)(`figure`,{children:[(0,W.jsx)(`img`,{className:`thumbnail`,src:n.imageUrl,alt:n.caption??`Your photo`}),(0,W.jsxs)(`figcaption`,{children:[`Posted`,n.caption?`: ${n.caption}`:``]})]})]})}var _t={CARD_ASSIGNED:`You are assigned to a card`,CARD_UPDATED:`A card you are assigned to is edited`,COMMENT_ADDED:`Someone comments on a card you created or are assigned to`,POST_UPLOADED:`Someone you follow posts a photo`,CHAT_MENTION:`Someone mentions you in a chat room`};function vt({preferences:e}){let t=(0,A.useId)();return(0,W.jsxs)(`section`,{className:`settings`,"aria-labelledby":t,children:[(0,W.jsx)(`h2`,{id:t,children:`Notification settings`}),e===null?(0,W.jsx)(`p`,{"aria-busy":`true`,children:`Waiting for the live connection to bring your settings…`}):(0,W.jsxs)(W.Fragment,{children:[(0,W.jsxs)(`fieldset`,{children:[(0,W.jsx)(`legend`,{children:`Tell me in the inbox when`}),e.kinds.filter(e=>e.channel===`IN_APP`).map(e=>(0,W.jsx)(yt,{kind:e.kind,enabled:e.enabled},e.kind))]}),(0,W.jsx)(bt,{boards:e.mutedBoards})]})]})}function yt({kind:e,enabled:t}){let n=(0,A.useId)(),[r]=F(Me),{error:i,pending:a,submit:o}=v();return(0,W.jsxs)(`div`,{className:`toggle`,children:[(0,W.jsx)(`input`,{id:n,type:`checkbox`,checked:t,disabled:a,onChange:()=>void o(()=>r({variables:{kind:e,enabled:!t}}))}),(0,W.jsx)(`label`,{htmlFor:n,children:_t[e]}),(0,W.jsx)(b,{error:i})]})}function bt({boards:e}){let t=(0,A.useId)();return(0,W.jsxs)(W.Fragment,{children:[(0,W.jsx)(`h3`,{id:t,children:`Muted boards`}),e.length===0?(0,W.jsx)(`p`,{className:`muted`,children:`None. Mute a board from its page: nothing on it will notify you.`}):(0,W.jsx)(`ul`,{className:`muted-boards`,"aria-labelledby":t,children:e.map(e=>(0,W.jsx)(`li`,{children:(0,W.jsx)(xt,{board:e})},e.id))})]})}function xt({board:e}){let[t]=F(H),{error:n,pending:r,submit:i}=v();return(0,W.jsxs)(W.Fragment,{children:[e.name,` `,(0,W.jsxs)(`button`,{type:`button`,disabled:r,onClick:()=>void i(()=>t({variables:{boardId:e.id}})),children:[`Unmute board `,e.name]}),(0,W.jsx)(b,{error:n})]})}function St({notice:e,onSignedIn:t}){return(0,W.jsxs)(`main`,{className:`sign-in`,children:[e!==null&&(0,W.jsxs)(`p`,{role:`alert`,className:`error`,children:[`Your session has ended: `,e,`. Please sign in again.`]}),(0,W.jsx)(`p`,{children:`Each browser tab signs in on its own, so two tabs can be two users: sign up as Alice here and as Bob in another tab, then watch Bob's actions reach Alice live.`}),(0,W.jsxs)(`div`,{className:`forms`,children:[(0,W.jsx)(Ct,{onSignedIn:t}),(0,W.jsx)(wt,{onSignedIn:t})]})]})}function Ct({onSignedIn:e}){let t=(0,A.useId)(),[n]=F(Ee),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-labelledby":`${t}-title`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget);a(async()=>{let{data:t}=await n({variables:{input:{name:String(r.get(`name`)),email:String(r.get(`email`)),password:String(r.get(`password`))}}});t&&e(t.signUp)})},children:[(0,W.jsx)(`h2`,{id:`${t}-title`,children:`Sign up`}),(0,W.jsx)(`label`,{htmlFor:`${t}-name`,children:`Name`}),(0,W.jsx)(`input`,{id:`${t}-name`,name:`name`,required:!0,autoComplete:`name`}),(0,W.jsx)(`label`,{htmlFor:`${t}-email`,children:`Email`}),(0,W.jsx)(`input`,{id:`${t}-email`,name:`email`,type:`email`,required:!0,autoComplete:`email`}),(0,W.jsx)(`label`,{htmlFor:`${t}-password`,children:`Password`}),(0,W.jsx)(`input`,{id:`${t}-password`,name:`password`,type:`password`,required:!0,autoComplete:`new-password`}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Sign up`}),(0,W.jsx)(b,{error:r})]})}function wt({onSignedIn:e}){let t=(0,A.useId)(),[n]=F(De),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-labelledby":`${t}-title`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget);a(async()=>{let{data:t}=await n({variables:{email:String(r.get(`email`)),password:String(r.get(`password`))}});t&&e(t.logIn)})},children:[(0,W.jsx)(`h2`,{id:`${t}-title`,children:`Log in`}),(0,W.jsx)(`label`,{htmlFor:`${t}-email`,children:`Email`}),(0,W.jsx)(`input`,{id:`${t}-email`,name:`email`,type:`email`,required:!0,autoComplete:`email`}),(0,W.jsx)(`label`,{htmlFor:`${t}-password`,children:`Password`}),(0,W.jsx)(`input`,{id:`${t}-password`,name:`password`,type:`password`,required:!0,autoComplete:`current-password`}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Log in`}),(0,W.jsx)(b,{error:r})]})}var J=20,Y={query:V,variables:{first:J}},Tt=class{client;onError;waiting=null;loads=0;constructor(e,t){this.client=e,this.onError=t}async load(){let e=++this.loads;this.waiting??=[];try{let{data:t}=await this.client.query({...Y,fetchPolicy:`no-cache`,context:{queryDeduplication:!1}});if(e!==this.loads)return;this.client.cache.writeQuery({...Y,data:t}),this.onError(null)}catch(t){if(e!==this.loads)return;this.onError(h(t))}this.applyWaiting()}async loadMore(){let e=this.client.cache.readQuery(Y)?.notificationGroups.pageInfo;if(this.waiting!==null||!e?.hasNextPage||e.endCursor===null)return;let t=++this.loads;this.waiting=[];try{let{data:n}=await this.client.query({query:V,variables:{first:J,after:e.endCursor},fetchPolicy:`no-cache`});if(t!==this.loads||!n)return;this.client.cache.updateQuery(Y,e=>{if(!e)return;let t=new Set(e.notificationGroups.edges.map(e=>e.node.key)),r=n.notificationGroups.edges.filter(e=>!t.has(e.node.key));return{...e,notificationGroups:{...e.notificationGroups,edges:[...e.notificationGroups.edges,...r],pageInfo:n.notificationGroups.pageInfo}}})}finally{t===this.loads&&this.applyWaiting()}}apply(e){if(e.kind===`STATE`)this.load();else if(this.waiting!==null)this.waiting.push(e);else switch(e.kind){case`NOTIFICATION`:this.follow(e,{toTop:!0});break;case`READ`:this.follow(e,{toTop:!1});break;case`ALL_READ`:this.clear();break;case`PREFERENCES`:break;default:this.load()}}applyWaiting(){let e=this.waiting??[];this.waiting=null;for(let t of e)this.apply(t)}follow(e,{toTop:t}){if(e.groupKeys.length===0)return;let n=new Set(e.groupKeys),r=new Map(e.groups.map(e=>[e.key,e]));this.client.cache.updateQuery(Y,i=>{if(!i)return;let a=i.notificationGroups.edges.flatMap(e=>{if(!n.has(e.node.key))return[e];let i=r.get(e.node.key);return i===void 0||t?[]:[{...e,cursor:i.cursor,node:i}]}),o=t?e.groups.map(e=>({__typename:`NotificationGroupEdge`,cursor:e.cursor,node:e})):[];return{...i,notificationGroups:{...i.notificationGroups,edges:[...o,...a]}}})}clear(){this.client.cache.updateQuery(Y,e=>{if(e)return{...e,notificationGroups:{...e.notificationGroups,edges:[],pageInfo:{...e.notificationGroups.pageInfo,hasNextPage:!1,endCursor:null}}}})}},X=[500,1e3,2e3,5e3,1e4],Et=new Set([`BAD_USER_INPUT`,`CURSOR_EXPIRED`]);function Dt(e,t){let n=N(),[r,i]=(0,A.useState)(`off`),a=(0,A.useRef)(t);return a.current=t,(0,A.useEffect)(()=>{let t=null,r=!1,o=0,c,u,d=()=>{u=n.subscribe({query:Oe,variables:{userId:e,after:t}}).subscribe({next:({data:e,error:n})=>{if(n)return f(n);let r=e?.inbox;r&&(o=0,i(`listening`),t!==null&&r.version<=t||(t=r.version,a.current(r)))},error:f,complete:()=>f(null)})};function f(e){if(u?.unsubscribe(),r)return;if(s(e))return d();if(l.is(e)){let n=e.errors[0]?.extensions?.code;if(n===`UNAUTHENTICATED`)return;typeof n==`string`&&Et.has(n)&&(t=null)}i(`reconnecting`);let n=X[Math.min(o,X.length-1)];o+=1,c=setTimeout(d,n)}return d(),()=>{r=!0,clearTimeout(c),u?.unsubscribe(),i(`off`)}},[n,e]),r}var Z={query:B,variables:{first:50}};function Ot(e){let t=N(),[n,r]=(0,A.useState)(null),[i]=(0,A.useState)(()=>new kt(t,r)),a=R(B,{...Z,fetchPolicy:`cache-only`}),[o,s]=(0,A.useState)(null),[c]=(0,A.useState)(()=>new Tt(t,s)),l=R(Y.query,{...Y,fetchPolicy:`cache-only`}),[u,d]=(0,A.useState)(null),[f,p]=(0,A.useState)(null),[m,h]=(0,A.useState)([]);(0,A.useEffect)(()=>{i.load(),c.load()},[i,c]);let g=Dt(e,e=>{d(e.unreadCount),e.preferences&&p(e.preferences);let t=e.notification;t&&h(e=>[...e,t]),i.apply(e),c.apply(e)}),_=(0,A.useCallback)(()=>i.load(),[i]),v=(0,A.useCallback)(()=>c.load(),[c]),y=(0,A.useCallback)(()=>c.loadMore(),[c]),b=(0,A.useCallback)(e=>{h(t=>t.filter(t=>t.id!==e))},[]),x=a.data?.notifications.edges,S=(0,A.useMemo)(()=>x?.map(e=>e.node)??null,[x]),C=l.data?.notificationGroups.edges;return{notifications:S,listError:n,reloadList:_,groups:(0,A.useMemo)(()=>C?.map(e=>e.node)??null,[C]),hasMoreGroups:l.data?.notificationGroups.pageInfo.hasNextPage??!1,groupsError:o,reloadGroups:v,loadMoreGroups:y,unread:u??a.data?.unreadNotificationCount??0,preferences:f,status:g,arrivals:m,dismissArrival:b}}var kt=class{client;onError;waiting=null;loads=0;constructor(e,t){this.client=e,this.onError=t}async load(){let e=++this.loads;this.waiting??=[];try{let{data:t}=await this.client.query({...Z,fetchPolicy:`no-cache`,context:{queryDeduplication:!1}});if(e!==this.loads)return;this.client.cache.writeQuery({...Z,data:t}),this.onError(null)}catch(t){if(e!==this.loads)return;this.onError(h(t))}let t=this.waiting??[];this.waiting=null;for(let e of t)this.apply(e)}apply(e){if(e.kind===`STATE`)this.load();else if(this.waiting!==null)this.waiting.push(e);else switch(e.kind){case`NOTIFICATION`:e.notification&&this.add(e.notification);break;case`READ`:this.markRead(e.readIds);break;case`ALL_READ`:e.allReadUpTo!==null&&this.markReadUpTo(e.allReadUpTo);break;case`PREFERENCES`:break;default:this.load()}}add(e){this.client.cache.updateQuery(Z,t=>{if(t&&!t.notifications.edges.some(t=>t.node.id===e.id))return{...t,notifications:{...t.notifications,edges:[{__typename:`NotificationEdge`,cursor:e.cursor,node:e},...t.notifications.edges]}}})}markRead(e){let t=At();for(let n of e)this.client.cache.modify({id:this.client.cache.identify({__typename:`Notification`,id:n}),fields:{readAt:e=>e??t}})}markReadUpTo(e){let t=this.client.cache.readQuery(Z);if(!t)return;let n=t.notifications.edges,r=n.findIndex(t=>t.cursor===e);r===-1?n.length>0&&this.load():this.markRead(n.slice(r).map(e=>e.node.id))}};function At(){return new Date().toISOString()}function jt(){let[e,t]=(0,A.useState)(()=>g()===null?{signedIn:!1,notice:null}:{signedIn:!0}),[n]=(0,A.useState)(()=>p({onSessionEnded:e=>t({signedIn:!1,notice:e})}));return(0,W.jsxs)(se,{client:n.apollo,children:[(0,W.jsxs)(`header`,{className:`page-header`,children:[(0,W.jsx)(`h1`,{children:`Herald inbox`}),(0,W.jsxs)(`nav`,{"aria-label":`Playground`,children:[(0,W.jsx)(`a`,{href:`/`,children:`About Herald`}),` · `,(0,W.jsx)(`a`,{href:`/graphiql`,children:`GraphiQL`})]})]}),e.signedIn?(0,W.jsx)(Mt,{onSignOut:()=>{n.signOut(),n.apollo.clearStore(),t({signedIn:!1,notice:null})}}):(0,W.jsx)(St,{notice:e.notice,onSignedIn:e=>{n.apollo.clearStore(),n.signIn(e),t({signedIn:!0})}})]})}function Mt({onSignOut:e}){let{data:t,error:n}=R(Te);return n?(0,W.jsxs)(`main`,{children:[(0,W.jsx)(b,{error:h(n)}),(0,W.jsx)(`button`,{type:`button`,onClick:e,children:`Sign out`})]}):t?(0,W.jsx)(Nt,{me:t.me,onSignOut:e}):(0,W.jsx)(`p`,{"aria-busy":`true`,children:`Checking your session…`})}function Nt({me:e,onSignOut:t}){let[n,r]=(0,A.useState)(()=>sessionStorage.getItem(Q)),i=e=>{sessionStorage.setItem(Q,e),r(e)},a=Ot(e.id),o=a.preferences?.mutedBoards,s=(0,A.useMemo)(()=>o===void 0?null:new Set(o.map(e=>e.id)),[o]);return(0,W.jsxs)(W.Fragment,{children:[(0,W.jsxs)(`section`,{className:`whoami`,"aria-label":`Your account`,children:[(0,W.jsxs)(`p`,{children:[`Signed in as `,(0,W.jsx)(`strong`,{children:e.name}),e.email!==null&&` (${e.email})`,`. Your user id is`,` `,(0,W.jsx)(`strong`,{children:e.id}),`: others need it to add you to a board or follow you.`]}),(0,W.jsx)(`button`,{type:`button`,onClick:t,children:`Sign out`})]}),(0,W.jsxs)(`main`,{className:`workspace`,children:[(0,W.jsx)(tt,{inbox:a,onOpenBoard:i}),(0,W.jsxs)(`div`,{className:`activity`,children:[(0,W.jsx)(vt,{preferences:a.preferences}),(0,W.jsx)(He,{me:e,boardId:n,mutedBoardIds:s,onOpenBoard:i}),(0,W.jsx)(mt,{})]})]})]})}var Q=`herald.inbox.board`,$=document.getElementById(`root`);if($===null)throw Error(`the page has no #root element`);(0,we.createRoot)($).render((0,W.jsx)(A.StrictMode,{children:(0,W.jsx)(jt,{})}));