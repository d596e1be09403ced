import{D as e,J as t,Q as n,S as r,T as i,Y as a,_ as o,a as s,b as c,d as l,f as u,g as d,h as f,i as p,m,n as h,o as ee,p as g,r as _,s as v,t as y,u as b,v as x,w as S,x as te,y as ne}from"./errors-BPHZZg_R.js";/* empty css               */var re=1,C,w={};function T(e){return e in w&&(delete w[e],!0)}var E={setImmediate:function(e){var t=re++;return w[t]=!0,C||=Promise.resolve(),C.then(function(){return T(t)&&e()}),t},clearImmediate:function(e){T(e)}},ie=E.setImmediate,ae=E.clearImmediate,D={setImmediate:function(){var t=[...arguments];return(D.delegate?.setImmediate||ie).apply(void 0,e([],i(t)))},clearImmediate:function(e){return(D.delegate?.clearImmediate||ae)(e)},delegate:void 0},oe=function(e){S(t,e);function t(t,n){var r=e.call(this,t,n)||this;return r.scheduler=t,r.work=n,r}return t.prototype.requestAsyncId=function(t,n,r){return r===void 0&&(r=0),r!==null&&r>0?e.prototype.requestAsyncId.call(this,t,n,r):(t.actions.push(this),t._scheduled||=D.setImmediate(t.flush.bind(t,void 0)))},t.prototype.recycleAsyncId=function(t,n,r){if(r===void 0&&(r=0),r==null?this.delay>0:r>0)return e.prototype.recycleAsyncId.call(this,t,n,r);var i=t.actions;n!=null&&i[i.length-1]?.id!==n&&(D.clearImmediate(n),t._scheduled===n&&(t._scheduled=void 0))},t}(te),se=new(function(e){S(t,e);function t(){return e!==null&&e.apply(this,arguments)||this}return t.prototype.flush=function(e){this._active=!0;var t=this._scheduled;this._scheduled=void 0;var n=this.actions,r;e||=n.shift();do if(r=e.execute(e.state,e.delay))break;while((e=n[0])&&e.id===t&&n.shift());if(this._active=!1,r){for(;(e=n[0])&&e.id===t&&n.shift();)e.unsubscribe();throw r}},t}(c))(oe),O=typeof x(()=>window.document.createElement)==`function`,k=n(t(),1),A=Symbol.for(`__APOLLO_CONTEXT__`);function j(){o(`createContext`in k,39);let e=k.createContext[A];return e||(Object.defineProperty(k.createContext,A,{value:e=k.createContext({}),enumerable:!1,writable:!1,configurable:!0}),e.displayName=`ApolloContext`),e}var ce=({client:e,children:t})=>{let n=j(),r=k.useContext(n),i=k.useMemo(()=>({...r,client:e||r.client}),[r,e]);return o(i.client,40),k.createElement(n.Provider,{value:i},t)};function M(e){let t=k.useContext(j()),n=e||t.client;return o(!!n,30),n}function le(e,t){let n=k.useRef(void 0);return n.current&&g(n.current.deps,t)||(n.current={value:e(),deps:t}),n.current.value}var ue=Symbol.for(`apollo.skipToken`),de=Symbol.for(`apollo.hook.wrappers`);function fe(e,t,n){let r=[n.queryManager,e.startsWith(`use`)?k.useContext(j()):void 0],i=t;for(let t of r){let n=t?.[de]?.[e];n&&(i=n(i))}return i}var pe=O?k.useLayoutEffect:k.useEffect,me=k.useSyncExternalStore,he=x(()=>navigator.product)==`ReactNative`,ge=x(()=>navigator.userAgent.indexOf(`jsdom`)>=0)||!1,_e=(O||he)&&!ge,ve=me||((e,t,n)=>{let r=t(),[{inst:i},a]=k.useState({inst:{value:r,getSnapshot:t}});return _e?k.useLayoutEffect(()=>{Object.assign(i,{value:r,getSnapshot:t}),N(i)&&a({inst:i})},[e,r,t]):Object.assign(i,{value:r,getSnapshot:t}),k.useEffect(()=>(N(i)&&a({inst:i}),e(function(){N(i)&&a({inst:i})})),[e]),r});function N({value:e,getSnapshot:t}){try{return e!==t()}catch{return!0}}var P=function(e,t){let n=M(t?.client),[r,i]=k.useState(()=>F(n)),a=k.useRef({result:r,mutationId:0,isMounted:!0,client:n,mutation:e,options:t});pe(()=>{Object.assign(a.current,{client:n,options:t,mutation:e})});let o=k.useCallback((e={})=>{let{options:t,mutation:n}=a.current,r={...t,mutation:n},o=e.client||a.current.client,s=typeof e.context==`function`?e.context(t?.context):e.context;!a.current.result.loading&&a.current.isMounted&&i(a.current.result={loading:!0,error:void 0,data:void 0,called:!0,client:o});let c=++a.current.mutationId,l=f(r,{...e,context:s});return m(o.mutate(l).then(t=>{let{data:n,error:r}=t,s=e.onError||a.current.options?.onError;if(r&&s&&s(r,l),c===a.current.mutationId){let e={called:!0,loading:!1,data:n,error:r,client:o};a.current.isMounted&&!g(a.current.result,e)&&i(a.current.result=e)}let u=e.onCompleted||a.current.options?.onCompleted;return r||u?.(t.data,l),t},t=>{if(c===a.current.mutationId&&a.current.isMounted){let e={loading:!1,error:t,data:void 0,called:!0,client:o};g(a.current.result,e)||i(a.current.result=e)}let n=e.onError||a.current.options?.onError;throw n&&n(t,l),t}))},[]),s=k.useCallback(()=>{if(a.current.isMounted){let e=F(a.current.client);Object.assign(a.current,{mutationId:0,result:e}),i(e)}},[]);return k.useEffect(()=>{let e=a.current;return e.isMounted=!0,()=>{e.isMounted=!1}},[]),[o,{reset:s,...r}]};function F(e){return{data:void 0,error:void 0,called:!1,loading:!1,client:e}}var I=Symbol(),L=function(e,...[t]){"use no memo";return fe(`useQuery`,ye,M(typeof t==`object`?t.client:void 0))(e,t)};function ye(e,t={}){let n=M(typeof t==`object`?t.client:void 0),{ssr:r}=typeof t==`object`?t:{},i=be(e,t,n.defaultOptions.watchQuery);function a(t){let r=n.watchQuery(i);return{client:n,query:e,observable:r,resultData:{current:r.getCurrentResult(),previousData:t?.resultData.current.data,variables:r.variables}}}let[o,s]=k.useState(a);(n!==o.client||e!==o.query)&&s(o=a(o));let{observable:c,resultData:l}=o;xe(i,c),Ce(l,c,i);let u=Se(c,l,r),d=k.useMemo(()=>({refetch:c.refetch.bind(c),fetchMore:c.fetchMore.bind(c),updateQuery:c.updateQuery.bind(c),startPolling:c.startPolling.bind(c),stopPolling:c.stopPolling.bind(c),subscribeToMore:c.subscribeToMore.bind(c)}),[c]),f=l.previousData;return k.useMemo(()=>{let{partial:e,...t}=u;return{...t,client:n,observable:c,variables:c.variables,previousData:f,...d}},[u,n,c,f,d])}var R=Symbol();function be(e,t,n){return le(()=>{if(t===ue){let t={...f(n,{query:e,fetchPolicy:`standby`}),[u]:!0};return t[R]=!0,t}let r=f(n,{...t,query:e});return t.skip&&(r.initialFetchPolicy=t.initialFetchPolicy||t.fetchPolicy,r.fetchPolicy=`standby`),r},[e,t,n])}function xe(e,t){"use no memo";e.fetchPolicy||=t.options.initialFetchPolicy}function Se(e,t,n){"use no memo";let r=e.options.fetchPolicy;return ve(k.useCallback(n=>{let r=e.pipe(ne(se)).subscribe(r=>{let i=t.current;g(i,r)&&g(t.variables,e.variables)||(t.variables=e.variables,i.data&&!g(i.data,r.data)&&(t.previousData=i.data),t.current=r,n())});return()=>{setTimeout(()=>r.unsubscribe())}},[e,t]),()=>t.current,()=>r!==`standby`&&n===!1||r===`no-cache`?L.ssrDisabledResult:t.current)}function Ce(e,t,n){"use no memo";if(t[I]&&!g(t[I],n)){t[I][R]&&!n.initialFetchPolicy&&(n.initialFetchPolicy=n.fetchPolicy),we(t[I],n)?t.reobserve(n):t.applyOptions(n);let r=t.getCurrentResult();g(r.data,e.current.data)||(e.previousData=e.current.data||e.previousData),e.current=r,e.variables=t.variables}t[I]=n}function we(e,t){return e.query!==t.query||!g(e.variables,t.variables)||e.fetchPolicy!==t.fetchPolicy&&(t.fetchPolicy===`standby`||e.fetchPolicy===`standby`)}L.ssrDisabledResult=d({loading:!0,data:void 0,dataState:`empty`,error:void 0,networkStatus:b.loading,partial:!0});var Te=r();v(`
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
`);var Ee=v(`
  query Me {
    me {
      id
      name
      email
    }
  }
`),De=v(`
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
`),Oe=v(`
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
`),z=v(`
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
`),B=v(`
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
`);var ke=v(`
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
`),Ae=v(`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      readAt
    }
  }
`),je=v(`
  mutation MarkNotificationGroupRead($key: String!, $upTo: String) {
    markNotificationGroupRead(key: $key, upTo: $upTo)
  }
`),Me=v(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`),Ne=v(`
  mutation SetNotificationPreference(
    $kind: NotificationKind!
    $channel: NotificationChannel!
    $enabled: Boolean!
  ) {
    setNotificationPreference(kind: $kind, channel: $channel, enabled: $enabled) {
      ...NotificationPreferencesFields
    }
  }
`),Pe=v(`
  query WebPushPublicKey {
    webPushPublicKey
  }
`),Fe=v(`
  query PushSubscriptions {
    pushSubscriptions {
      id
      endpoint
    }
  }
`),Ie=v(`
  mutation RegisterPushSubscription($endpoint: String!, $p256dh: String!, $auth: String!) {
    registerPushSubscription(endpoint: $endpoint, p256dh: $p256dh, auth: $auth) {
      id
      endpoint
    }
  }
`),Le=v(`
  mutation UnregisterPushSubscription($endpoint: String!) {
    unregisterPushSubscription(endpoint: $endpoint)
  }
`),Re=v(`
  mutation MuteBoard($boardId: ID!) {
    muteBoard(boardId: $boardId) {
      id
      muted
    }
  }
`),V=v(`
  mutation UnmuteBoard($boardId: ID!) {
    unmuteBoard(boardId: $boardId) {
      id
      muted
    }
  }
`),H=v(`
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
`),ze=v(`
  mutation CreateBoard($name: String!) {
    createBoard(name: $name) {
      id
      name
    }
  }
`),Be=v(`
  mutation AddBoardMember($boardId: ID!, $userId: ID!) {
    addBoardMember(boardId: $boardId, userId: $userId) {
      id
      members(first: 100) {
        id
        name
      }
    }
  }
`),Ve=v(`
  mutation CreateCard($boardId: ID!, $title: String!, $description: String) {
    createCard(boardId: $boardId, title: $title, description: $description) {
      ...CardFields
    }
  }
`),He=v(`
  mutation UpdateCard($id: ID!, $input: UpdateCardInput!) {
    updateCard(id: $id, input: $input) {
      ...CardFields
    }
  }
`),Ue=v(`
  mutation AssignCard($cardId: ID!, $userId: ID!) {
    assignCard(cardId: $cardId, userId: $userId) {
      ...CardFields
    }
  }
`),We=v(`
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
`),Ge=v(`
  mutation Follow($userId: ID!) {
    follow(userId: $userId) {
      id
      name
    }
  }
`),Ke=v(`
  mutation UploadPost($file: Upload!, $caption: String) {
    uploadPost(file: $file, caption: $caption) {
      id
      imageUrl
      caption
      createdAt
    }
  }
`),U=a();function qe({me:e,boardId:t,mutedBoardIds:n,onOpenBoard:r}){let i=(0,k.useId)();return(0,U.jsxs)(`section`,{className:`boards`,"aria-labelledby":i,children:[(0,U.jsx)(`h2`,{id:i,children:`Boards`}),(0,U.jsxs)(`div`,{className:`forms`,children:[(0,U.jsx)(Je,{onCreated:r}),(0,U.jsx)(Ye,{onOpen:r})]}),t!==null&&(0,U.jsx)(Xe,{id:t,me:e,mutedBoardIds:n},t)]})}function Je({onCreated:e}){let t=(0,k.useId)(),[n]=P(ze),{error:r,pending:i,submit:a}=_();return(0,U.jsxs)(`form`,{"aria-label":`Create a board`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`name`));a(async()=>{let{data:t}=await n({variables:{name:i}});t&&(r.reset(),e(t.createBoard.id))})},children:[(0,U.jsx)(`label`,{htmlFor:`${t}-name`,children:`Board name`}),(0,U.jsx)(`input`,{id:`${t}-name`,name:`name`,required:!0}),(0,U.jsx)(`button`,{type:`submit`,disabled:i,children:`Create board`}),(0,U.jsx)(y,{error:r})]})}function Ye({onOpen:e}){let t=(0,k.useId)();return(0,U.jsxs)(`form`,{"aria-label":`Open a board`,onSubmit:t=>{t.preventDefault(),e(String(new FormData(t.currentTarget).get(`boardId`)).trim())},children:[(0,U.jsx)(`label`,{htmlFor:`${t}-board`,children:`Board id`}),(0,U.jsx)(`input`,{id:`${t}-board`,name:`boardId`,required:!0,inputMode:`numeric`}),(0,U.jsx)(`button`,{type:`submit`,children:`Open board`})]})}function Xe({id:e,me:t,mutedBoardIds:n}){let r=(0,k.useId)(),{data:i,error:a,loading:o,refetch:s}=L(H,{variables:{id:e}}),c=_();if(o&&!i)return(0,U.jsxs)(`p`,{"aria-busy":`true`,children:[`Loading board `,e,`…`]});if(a)return(0,U.jsx)(y,{error:h(a)});let l=i?.board;if(!l)return(0,U.jsxs)(`p`,{role:`alert`,className:`error`,children:[(0,U.jsx)(`code`,{children:`NOT_FOUND`}),` Board `,e,` does not exist, or you are not one of its members.`]});let u=l.owner.id===t.id;return(0,U.jsxs)(`article`,{className:`board`,"aria-labelledby":r,children:[(0,U.jsxs)(`h3`,{id:r,children:[l.name,` `,(0,U.jsxs)(`span`,{className:`muted`,children:[`(board id `,l.id,`)`]})]}),(0,U.jsxs)(`p`,{children:[`Owner: `,l.owner.name,`. Members: `,l.members.map(e=>e.name).join(`, `),`.`,` `,(0,U.jsx)(`button`,{type:`button`,disabled:c.pending,onClick:()=>void c.submit(s),children:`Reload board`})]}),(0,U.jsx)(y,{error:c.error}),n!==null&&(0,U.jsx)(Ze,{boardId:l.id,muted:n.has(l.id)}),(0,U.jsxs)(`div`,{className:`forms`,children:[u&&(0,U.jsx)(Qe,{boardId:l.id}),(0,U.jsx)($e,{boardId:l.id})]}),l.cards.length===0?(0,U.jsx)(`p`,{children:`No cards yet.`}):(0,U.jsx)(`ul`,{className:`cards`,children:l.cards.map(e=>(0,U.jsx)(`li`,{children:(0,U.jsx)(et,{card:e,members:l.members})},e.id))})]})}function Ze({boardId:e,muted:t}){let n=(0,k.useId)(),[r]=P(Re),[i]=P(V),{error:a,pending:o,submit:s}=_();return(0,U.jsxs)(`div`,{className:`toggle`,children:[(0,U.jsx)(`input`,{id:n,type:`checkbox`,checked:t,disabled:o,onChange:()=>void s(()=>(t?i:r)({variables:{boardId:e}}))}),(0,U.jsx)(`label`,{htmlFor:n,children:`Mute notifications from this board`}),(0,U.jsx)(y,{error:a})]})}function Qe({boardId:e}){let t=(0,k.useId)(),[n]=P(Be),{error:r,pending:i,submit:a}=_();return(0,U.jsxs)(`form`,{"aria-label":`Add a member`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`userId`)).trim();a(async()=>{await n({variables:{boardId:e,userId:i}}),r.reset()})},children:[(0,U.jsx)(`label`,{htmlFor:`${t}-user`,children:`Member's user id`}),(0,U.jsx)(`input`,{id:`${t}-user`,name:`userId`,required:!0,inputMode:`numeric`}),(0,U.jsx)(`button`,{type:`submit`,disabled:i,children:`Add member`}),(0,U.jsx)(y,{error:r})]})}function $e({boardId:e}){let t=(0,k.useId)(),[n]=P(Ve,{refetchQueries:[H]}),{error:r,pending:i,submit:a}=_();return(0,U.jsxs)(`form`,{"aria-label":`Add a card`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=new FormData(r),o=String(i.get(`description`)).trim();a(async()=>{await n({variables:{boardId:e,title:String(i.get(`title`)),description:o===``?null:o},awaitRefetchQueries:!0}),r.reset()})},children:[(0,U.jsx)(`label`,{htmlFor:`${t}-title`,children:`Card title`}),(0,U.jsx)(`input`,{id:`${t}-title`,name:`title`,required:!0}),(0,U.jsx)(`label`,{htmlFor:`${t}-description`,children:`Card description`}),(0,U.jsx)(`input`,{id:`${t}-description`,name:`description`}),(0,U.jsx)(`button`,{type:`submit`,disabled:i,children:`Add card`}),(0,U.jsx)(y,{error:r})]})}function et({card:e,members:t}){let n=(0,k.useId)();return(0,U.jsxs)(`article`,{className:`card`,"aria-labelledby":n,children:[(0,U.jsx)(`h4`,{id:n,children:e.title}),e.description&&(0,U.jsx)(`p`,{children:e.description}),(0,U.jsxs)(`p`,{className:`meta`,children:[`Created by `,e.creator.name,`. Assigned to:`,` `,e.assignees.length===0?`nobody`:e.assignees.map(e=>e.name).join(`, `),`.`]}),(0,U.jsxs)(`div`,{className:`forms`,children:[(0,U.jsx)(tt,{card:e,members:t}),(0,U.jsx)(nt,{card:e})]}),(0,U.jsx)(`h5`,{children:`Comments`}),e.comments.length===0?(0,U.jsx)(`p`,{className:`muted`,children:`No comments yet.`}):(0,U.jsx)(`ul`,{className:`comments`,children:e.comments.map(e=>(0,U.jsxs)(`li`,{children:[(0,U.jsxs)(`strong`,{children:[e.author.name,`:`]}),` `,e.body]},e.id))}),(0,U.jsx)(rt,{cardId:e.id})]})}function tt({card:e,members:t}){let n=(0,k.useId)(),[r]=P(Ue),{error:i,pending:a,submit:o}=_();return(0,U.jsxs)(`form`,{"aria-label":`Assign the card`,onSubmit:t=>{t.preventDefault();let n=String(new FormData(t.currentTarget).get(`userId`));o(()=>r({variables:{cardId:e.id,userId:n}}))},children:[(0,U.jsx)(`label`,{htmlFor:`${n}-user`,children:`Assignee`}),(0,U.jsx)(`select`,{id:`${n}-user`,name:`userId`,required:!0,children:t.map(e=>(0,U.jsx)(`option`,{value:e.id,children:e.name},e.id))}),(0,U.jsx)(`button`,{type:`submit`,disabled:a,children:`Assign`}),(0,U.jsx)(y,{error:i})]})}function nt({card:e}){let t=(0,k.useId)(),[n]=P(He),{error:r,pending:i,submit:a}=_();return(0,U.jsxs)(`form`,{"aria-label":`Edit the card`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget),i=String(r.get(`description`)).trim();a(()=>n({variables:{id:e.id,input:{title:String(r.get(`title`)),description:i===``?null:i}}}))},children:[(0,U.jsx)(`label`,{htmlFor:`${t}-title`,children:`Title`}),(0,U.jsx)(`input`,{id:`${t}-title`,name:`title`,required:!0,defaultValue:e.title}),(0,U.jsx)(`label`,{htmlFor:`${t}-description`,children:`Description`}),(0,U.jsx)(`input`,{id:`${t}-description`,name:`description`,defaultValue:e.description??``}),(0,U.jsx)(`button`,{type:`submit`,disabled:i,children:`Save card`}),(0,U.jsx)(y,{error:r})]})}function rt({cardId:e}){let t=(0,k.useId)(),[n]=P(We,{refetchQueries:[H]}),{error:r,pending:i,submit:a}=_();return(0,U.jsxs)(`form`,{"aria-label":`Comment on the card`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`body`));a(async()=>{await n({variables:{cardId:e,body:i},awaitRefetchQueries:!0}),r.reset()})},children:[(0,U.jsx)(`label`,{htmlFor:`${t}-body`,children:`Comment`}),(0,U.jsx)(`textarea`,{id:`${t}-body`,name:`body`,required:!0,rows:2}),(0,U.jsx)(`button`,{type:`submit`,disabled:i,children:`Add comment`}),(0,U.jsx)(y,{error:r})]})}var it=8e3,at={grouped:`Grouped`,all:`All`},W=`herald.inbox.view`;function ot(){return localStorage.getItem(W)===`grouped`?`grouped`:`all`}function st({inbox:e,onOpenBoard:t}){let n=(0,k.useId)(),r=`${n}-list`,[i,a]=(0,k.useState)(ot),o=e=>{localStorage.setItem(W,e),a(e)},[s]=P(Me),c=_(),{unread:l}=e;return(0,U.jsxs)(`section`,{className:`inbox`,"aria-labelledby":n,children:[(0,U.jsxs)(`div`,{className:`inbox-header`,children:[(0,U.jsx)(`h2`,{id:n,children:`Notifications`}),(0,U.jsx)(dt,{unread:l,listId:r})]}),(0,U.jsx)(ft,{status:e.status}),(0,U.jsxs)(`div`,{className:`inbox-controls`,children:[(0,U.jsx)(ct,{view:i,onChange:o}),(0,U.jsx)(`button`,{type:`button`,disabled:c.pending||l===0,onClick:()=>void c.submit(()=>s()),children:`Mark all read`})]}),(0,U.jsx)(y,{error:c.error}),i===`grouped`?(0,U.jsx)(ut,{inbox:e,listId:r,onOpenBoard:t}):(0,U.jsx)(lt,{inbox:e,listId:r,onOpenBoard:t}),(0,U.jsx)(_t,{toasts:e.arrivals,onDismiss:e.dismissArrival})]})}function ct({view:e,onChange:t}){let n=(0,k.useId)();return(0,U.jsxs)(`fieldset`,{className:`view-switch`,children:[(0,U.jsx)(`legend`,{children:`Show`}),[`grouped`,`all`].map(r=>(0,U.jsxs)(`label`,{children:[(0,U.jsx)(`input`,{type:`radio`,name:n,value:r,checked:e===r,onChange:()=>t(r)}),at[r]]},r))]})}function lt({inbox:e,listId:t,onOpenBoard:n}){let r=_(),{notifications:i}=e;return(0,U.jsxs)(U.Fragment,{children:[e.listError&&(0,U.jsxs)(U.Fragment,{children:[(0,U.jsx)(y,{error:e.listError}),(0,U.jsx)(`button`,{type:`button`,disabled:r.pending,onClick:()=>void r.submit(e.reloadList),children:`Load notifications again`})]}),i===null?!e.listError&&(0,U.jsx)(`p`,{"aria-busy":`true`,children:`Loading your notifications…`}):i.length===0?(0,U.jsx)(`p`,{children:`No notifications yet. They appear here the moment someone acts on your cards.`}):(0,U.jsx)(`ol`,{id:t,className:`notification-list`,"aria-label":`Your notifications`,children:i.map(e=>(0,U.jsx)(pt,{notification:e,onOpenBoard:n},e.id))})]})}function ut({inbox:e,listId:t,onOpenBoard:n}){let r=_(),i=_(),{groups:a}=e;return(0,U.jsxs)(U.Fragment,{children:[e.groupsError&&(0,U.jsxs)(U.Fragment,{children:[(0,U.jsx)(y,{error:e.groupsError}),(0,U.jsx)(`button`,{type:`button`,disabled:r.pending,onClick:()=>void r.submit(e.reloadGroups),children:`Load notifications again`})]}),a===null?!e.groupsError&&(0,U.jsx)(`p`,{"aria-busy":`true`,children:`Loading your notifications…`}):a.length===0?(0,U.jsx)(`p`,{children:`Nothing unread. What happens to one card shows here as one entry.`}):(0,U.jsx)(`ol`,{id:t,className:`notification-list`,"aria-label":`Your unread notifications, grouped`,children:a.map(e=>(0,U.jsx)(mt,{group:e,onOpenBoard:n},e.key))}),e.hasMoreGroups&&(0,U.jsx)(`button`,{type:`button`,disabled:i.pending,onClick:()=>void i.submit(e.loadMoreGroups),children:`Load more groups`}),(0,U.jsx)(y,{error:i.error})]})}function dt({unread:e,listId:t}){return(0,U.jsxs)(`a`,{className:`bell`,href:`#${t}`,"aria-label":`Notifications: ${e} unread`,children:[(0,U.jsx)(`svg`,{viewBox:`0 0 24 24`,width:`24`,height:`24`,"aria-hidden":`true`,children:(0,U.jsx)(`path`,{fill:`currentColor`,d:`M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z`})}),(0,U.jsx)(`span`,{className:e>0?`badge`:`badge badge-zero`,"aria-hidden":`true`,children:e})]})}function ft({status:e}){let t={off:`Live updates: starting…`,listening:`Live updates: on`,reconnecting:`Live updates: connection lost, reconnecting…`}[e];return(0,U.jsx)(`p`,{className:`live-status`,"aria-live":`polite`,children:t})}function pt({notification:e,onOpenBoard:t}){let[n]=P(Ae),{error:r,pending:i,submit:a}=_(),o=e.readAt==null,s=e.card?.board;return(0,U.jsxs)(`li`,{className:o?`notification unread`:`notification`,children:[(0,U.jsxs)(`p`,{className:`message`,children:[o&&(0,U.jsx)(`span`,{className:`visually-hidden`,children:`Unread: `}),e.message]}),(0,U.jsxs)(`p`,{className:`meta`,children:[e.actor?`by ${e.actor.name}, `:``,(0,U.jsx)(G,{iso:e.createdAt})]}),e.post&&(0,U.jsx)(`img`,{className:`thumbnail`,src:e.post.imageUrl,alt:e.post.caption??`A posted photo`}),(0,U.jsxs)(`div`,{className:`actions`,children:[o&&(0,U.jsx)(`button`,{type:`button`,disabled:i,onClick:()=>void a(()=>n({variables:{id:e.id}})),children:`Mark read`}),s&&(0,U.jsxs)(`button`,{type:`button`,onClick:()=>t(s.id),children:[`Open board `,s.name]})]}),(0,U.jsx)(y,{error:r})]})}function mt({group:e,onOpenBoard:t}){let[n]=P(je),{error:r,pending:i,submit:a}=_(),o=e.latest.card?.board;return(0,U.jsxs)(`li`,{className:`notification unread`,children:[(0,U.jsxs)(`p`,{className:`message`,children:[e.message,e.count>1&&(0,U.jsxs)(U.Fragment,{children:[` `,(0,U.jsxs)(`span`,{className:`count`,children:[e.count,(0,U.jsx)(`span`,{className:`visually-hidden`,children:` notifications`})]})]})]}),(0,U.jsxs)(`p`,{className:`meta`,children:[(0,U.jsx)(ht,{actors:e.actors,actorCount:e.actorCount}),(0,U.jsx)(G,{iso:e.latestAt})]}),(0,U.jsxs)(`div`,{className:`actions`,children:[(0,U.jsxs)(`button`,{type:`button`,disabled:i,onClick:()=>void a(()=>n({variables:{key:e.key,upTo:e.cursor}})),children:[`Mark`,(0,U.jsxs)(`span`,{className:`visually-hidden`,children:[` “`,e.message,`”`]}),` read`]}),o&&(0,U.jsxs)(`button`,{type:`button`,onClick:()=>t(o.id),children:[`Open board `,o.name]})]}),(0,U.jsx)(y,{error:r})]})}function ht({actors:e,actorCount:t}){if(e.length===0)return null;let n=t-e.length,r=e.map(e=>e.name).join(`, `);return(0,U.jsxs)(`span`,{className:`actors`,children:[e.map(e=>(0,U.jsx)(`span`,{className:`avatar`,title:e.name,"aria-hidden":`true`,children:gt(e.name)},e.id)),n>0&&(0,U.jsxs)(`span`,{className:`avatar`,"aria-hidden":`true`,children:[`+`,n]}),(0,U.jsxs)(`span`,{className:`visually-hidden`,children:[`From `,r,n>0&&` and ${n} more`,`,`,` `]})]})}function gt(e){return e.split(/\s+/).filter(e=>e!==``).slice(0,2).map(e=>(Array.from(e)[0]??``).toUpperCase()).join(``)}function _t({toasts:e,onDismiss:t}){return(0,U.jsx)(`section`,{className:`toasts`,"aria-label":`New notifications`,children:e.map(e=>(0,U.jsx)(vt,{notification:e,onDismiss:t},e.id))})}function vt({notification:e,onDismiss:t}){let n=(0,k.useRef)(void 0);return(0,k.useEffect)(()=>(n.current=setTimeout(()=>t(e.id),it),()=>clearTimeout(n.current)),[e.id,t]),(0,U.jsxs)(`div`,{role:`status`,className:`toast`,children:[(0,U.jsx)(`p`,{className:`message`,children:e.message}),(0,U.jsxs)(`p`,{className:`meta`,children:[e.actor?`by ${e.actor.name}, `:``,(0,U.jsx)(G,{iso:e.createdAt})]}),(0,U.jsx)(`button`,{type:`button`,onClick:()=>t(e.id),children:`Dismiss`})]})}var yt=new Intl.DateTimeFormat(void 0,{dateStyle:`medium`,timeStyle:`medium`});function G({iso:e}){return(0,U.jsx)(`time`,{dateTime:e,children:yt.format(new Date(e))})}function bt(){let e=(0,k.useId)();return(0,U.jsxs)(`section`,{className:`photos`,"aria-labelledby":e,children:[(0,U.jsx)(`h2`,{id:e,children:`Photos`}),(0,U.jsxs)(`div`,{className:`forms`,children:[(0,U.jsx)(xt,{}),(0,U.jsx)(St,{})]})]})}function xt(){let e=(0,k.useId)(),[t]=P(Ge),[n,r]=(0,k.useState)(null),{error:i,pending:a,submit:o}=_();return(0,U.jsxs)(`form`,{"aria-label":`Follow a user`,onSubmit:e=>{e.preventDefault();let n=e.currentTarget,i=String(new FormData(n).get(`userId`)).trim();o(async()=>{let{data:e}=await t({variables:{userId:i}});e&&(r(e.follow.name),n.reset())})},children:[(0,U.jsx)(`label`,{htmlFor:`${e}-user`,children:`User id to follow`}),(0,U.jsx)(`input`,{id:`${e}-user`,name:`userId`,required:!0,inputMode:`numeric`}),(0,U.jsx)(`button`,{type:`submit`,disabled:a,children:`Follow`}),n!==null&&(0,U.jsxs)(`p`,{children:[`You follow `,n,`: their photos will notify you.`]}),(0,U.jsx)(y,{error:i})]})}function St(){let e=(0,k.useId)(),[t]=P(Ke),[n,r]=(0,k.useState)(null),{error:i,pending:a,submit:o}=_();return(0,U.jsxs)(`form`,{"aria-label":`Post a photo`,onSubmit:e=>{e.preventDefault();let n=e.currentTarget,i=new FormData(n),a=i.get(`photo`),s=String(i.get(`caption`)).trim();a instanceof File&&o(async()=>{let{data:e}=await t({variables:{file:a,caption:s===``?null:s}});e&&(r(e.uploadPost),n.reset())})},children:[(0,U.jsx)(`label`,{htmlFor:`${e}-photo`,children:`Photo`}),(0,U.jsx)(`input`,{id:`${e}-photo`,name:`photo`,type:`file`,accept:`image/*`,required:!0}),(0,U.jsx)(`label`,{htmlFor:`${e}-caption`,children:`Caption`}),(0,U.jsx)(`input`,{id:`${e}-caption`,name:`caption`}),(0,U.jsx)(`button`,{type:`submit`,disabled:a,children:`Post photo`}),(0,U.jsx)(y,{error:i}),n&&(0,U.jsxs)(`figure`,{children:[(0,U.jsx)(`img`,{className:`thumbnail`,src:n.imageUrl,alt:n.caption??`Your photo`}),(0,U.jsxs)(`figcaption`,{children:[`Posted`,n.caption?`: ${n.caption}`:``]})]})]})}var K=`/push-worker.js`,q=`/`;function Ct(){return`serviceWorker`in navigator&&`PushManager`in window&&`Notification`in window}async function J(){return await(await navigator.serviceWorker.getRegistration(q))?.pushManager.getSubscription()??null}async function wt(){await navigator.serviceWorker.register(K,{scope:q})}async function Tt(e){let t=await Notification.requestPermission();if(t===`denied`)throw new DOMException(`Notifications are blocked for this site: allow them in the browser's site settings, then try again.`,`NotAllowedError`);if(t!==`granted`)throw new DOMException(`Notifications were not allowed: allow them when the browser asks.`,`NotAllowedError`);await navigator.serviceWorker.register(K,{scope:q});let n=await navigator.serviceWorker.ready,r=Dt(e),i=await n.pushManager.getSubscription();if(i!==null){if(Ot(i.options.applicationServerKey,r))return i;await i.unsubscribe()}return n.pushManager.subscribe({userVisibleOnly:!0,applicationServerKey:r})}function Et(e){let{endpoint:t,keys:n}=e.toJSON(),r=n?.p256dh,i=n?.auth;if(t===void 0||r===void 0||i===void 0)throw new DOMException(`The browser gave a push subscription without its keys.`,`InvalidStateError`);return{endpoint:t,p256dh:r,auth:i}}function Dt(e){let t=e.replace(/-/g,`+`).replace(/_/g,`/`),n=t.padEnd(t.length+(4-t.length%4)%4,`=`);return Uint8Array.from(atob(n),e=>e.charCodeAt(0))}function Ot(e,t){if(e===null||e.byteLength!==t.length)return!1;let n=new Uint8Array(e);return t.every((e,t)=>e===n[t])}var kt={CARD_ASSIGNED:`You are assigned to a card`,CARD_UPDATED:`A card you are assigned to is edited`,COMMENT_ADDED:`Someone comments on a card you created or are assigned to`,POST_UPLOADED:`Someone you follow posts a photo`,CHAT_MENTION:`Someone mentions you in a chat room`,CUSTOM:`An app you use tells you something through Herald`};function At({preferences:e}){let t=(0,k.useId)();return(0,U.jsxs)(`section`,{className:`settings`,"aria-labelledby":t,children:[(0,U.jsx)(`h2`,{id:t,children:`Notification settings`}),e===null?(0,U.jsx)(`p`,{"aria-busy":`true`,children:`Waiting for the live connection to bring your settings…`}):(0,U.jsxs)(U.Fragment,{children:[(0,U.jsx)(Y,{legend:`Tell me in the inbox when`,channel:`IN_APP`,preferences:e}),(0,U.jsxs)(`fieldset`,{children:[(0,U.jsx)(`legend`,{children:`Push notifications`}),(0,U.jsx)(Mt,{})]}),(0,U.jsx)(Y,{legend:`Push me when`,channel:`PUSH`,preferences:e}),(0,U.jsx)(Pt,{boards:e.mutedBoards})]})]})}function Y({legend:e,channel:t,preferences:n}){return(0,U.jsxs)(`fieldset`,{children:[(0,U.jsx)(`legend`,{children:e}),n.kinds.filter(e=>e.channel===t).map(e=>(0,U.jsx)(jt,{kind:e.kind,channel:t,enabled:e.enabled},e.kind))]})}function jt({kind:e,channel:t,enabled:n}){let r=(0,k.useId)(),[i]=P(Ne),{error:a,pending:o,submit:s}=_();return(0,U.jsxs)(`div`,{className:`toggle`,children:[(0,U.jsx)(`input`,{id:r,type:`checkbox`,checked:n,disabled:o,onChange:()=>void s(()=>i({variables:{kind:e,channel:t,enabled:!n}}))}),(0,U.jsx)(`label`,{htmlFor:r,children:kt[e]}),(0,U.jsx)(y,{error:a})]})}function Mt(){let e=(0,k.useId)(),t=M(),[n]=P(Ie),[r]=P(Le),{error:i,pending:a,submit:o}=_(),s=Ct(),[c,l]=(0,k.useState)(s?null:!1);(0,k.useEffect)(()=>{if(!s)return;let e=!0,n=!1;return o(async()=>{n=await Nt(t)}).then(()=>{e&&l(n)}),()=>{e=!1}},[t,o,s]);let u=()=>o(async()=>{let{data:e}=await t.query({query:Pe,errorPolicy:`none`}),r=await Tt(e.webPushPublicKey);await n({variables:Et(r)}),l(!0)}),d=()=>o(async()=>{let e=await J();e!==null&&(await r({variables:{endpoint:e.endpoint}}),await e.unsubscribe()),l(!1)});return(0,U.jsxs)(U.Fragment,{children:[(0,U.jsxs)(`div`,{className:`toggle`,children:[(0,U.jsx)(`input`,{id:e,type:`checkbox`,checked:c===!0,disabled:!s||a||c===null,onChange:()=>void(c?d():u())}),(0,U.jsx)(`label`,{htmlFor:e,children:`Send me push notifications when no tab is open`}),(0,U.jsx)(y,{error:i})]}),!s&&(0,U.jsx)(`p`,{role:`status`,className:`muted`,children:`This browser does not support Web Push.`})]})}async function Nt(e){let t=await J();if(t===null)return!1;let{data:n}=await e.query({query:Fe,fetchPolicy:`network-only`,errorPolicy:`none`}),r=n.pushSubscriptions.some(e=>e.endpoint===t.endpoint);return r&&await wt(),r}function Pt({boards:e}){let t=(0,k.useId)();return(0,U.jsxs)(U.Fragment,{children:[(0,U.jsx)(`h3`,{id:t,children:`Muted boards`}),e.length===0?(0,U.jsx)(`p`,{className:`muted`,children:`None. Mute a board from its page: nothing on it will notify you.`}):(0,U.jsx)(`ul`,{className:`muted-boards`,"aria-labelledby":t,children:e.map(e=>(0,U.jsx)(`li`,{children:(0,U.jsx)(Ft,{board:e})},e.id))})]})}function Ft({board:e}){let[t]=P(V),{error:n,pending:r,submit:i}=_();return(0,U.jsxs)(U.Fragment,{children:[e.name,` `,(0,U.jsxs)(`button`,{type:`button`,disabled:r,onClick:()=>void i(()=>t({variables:{boardId:e.id}})),children:[`Unmute board `,e.name]}),(0,U.jsx)(y,{error:n})]})}function It({notice:e,onSignedIn:t}){return(0,U.jsxs)(`main`,{className:`sign-in`,children:[e!==null&&(0,U.jsxs)(`p`,{role:`alert`,className:`error`,children:[`Your session has ended: `,e,`. Please sign in again.`]}),(0,U.jsx)(`p`,{children:`Each browser tab signs in on its own, so two tabs can be two users: sign up as Alice here and as Bob in another tab, then watch Bob's actions reach Alice live.`}),(0,U.jsxs)(`div`,{className:`forms`,children:[(0,U.jsx)(Lt,{onSignedIn:t}),(0,U.jsx)(Rt,{onSignedIn:t})]})]})}function Lt({onSignedIn:e}){let t=(0,k.useId)(),[n]=P(De),{error:r,pending:i,submit:a}=_();return(0,U.jsxs)(`form`,{"aria-labelledby":`${t}-title`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget);a(async()=>{let{data:t}=await n({variables:{input:{name:String(r.get(`name`)),email:String(r.get(`email`)),password:String(r.get(`password`))}}});t&&e(t.signUp)})},children:[(0,U.jsx)(`h2`,{id:`${t}-title`,children:`Sign up`}),(0,U.jsx)(`label`,{htmlFor:`${t}-name`,children:`Name`}),(0,U.jsx)(`input`,{id:`${t}-name`,name:`name`,required:!0,autoComplete:`name`}),(0,U.jsx)(`label`,{htmlFor:`${t}-email`,children:`Email`}),(0,U.jsx)(`input`,{id:`${t}-email`,name:`email`,type:`email`,required:!0,autoComplete:`email`}),(0,U.jsx)(`label`,{htmlFor:`${t}-password`,children:`Password`}),(0,U.jsx)(`input`,{id:`${t}-password`,name:`password`,type:`password`,required:!0,autoComplete:`new-password`}),(0,U.jsx)(`button`,{type:`submit`,disabled:i,children:`Sign up`}),(0,U.jsx)(y,{error:r})]})}function Rt({onSignedIn:e}){let t=(0,k.useId)(),[n]=P(Oe),{error:r,pending:i,submit:a}=_();return(0,U.jsxs)(`form`,{"aria-labelledby":`${t}-title`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget);a(async()=>{let{data:t}=await n({variables:{email:String(r.get(`email`)),password:String(r.get(`password`))}});t&&e(t.logIn)})},children:[(0,U.jsx)(`h2`,{id:`${t}-title`,children:`Log in`}),(0,U.jsx)(`label`,{htmlFor:`${t}-email`,children:`Email`}),(0,U.jsx)(`input`,{id:`${t}-email`,name:`email`,type:`email`,required:!0,autoComplete:`email`}),(0,U.jsx)(`label`,{htmlFor:`${t}-password`,children:`Password`}),(0,U.jsx)(`input`,{id:`${t}-password`,name:`password`,type:`password`,required:!0,autoComplete:`current-password`}),(0,U.jsx)(`button`,{type:`submit`,disabled:i,children:`Log in`}),(0,U.jsx)(y,{error:r})]})}var X=20,Z={query:B,variables:{first:X}},zt=class{client;onError;waiting=null;loads=0;constructor(e,t){this.client=e,this.onError=t}async load(){let e=++this.loads;this.waiting??=[];try{let{data:t}=await this.client.query({...Z,fetchPolicy:`no-cache`,context:{queryDeduplication:!1}});if(e!==this.loads)return;this.client.cache.writeQuery({...Z,data:t}),this.onError(null)}catch(t){if(e!==this.loads)return;this.onError(h(t))}this.applyWaiting()}async loadMore(){let e=this.client.cache.readQuery(Z)?.notificationGroups.pageInfo;if(this.waiting!==null||!e?.hasNextPage||e.endCursor===null)return;let t=++this.loads;this.waiting=[];try{let{data:n}=await this.client.query({query:B,variables:{first:X,after:e.endCursor},fetchPolicy:`no-cache`});if(t!==this.loads||!n)return;this.client.cache.updateQuery(Z,e=>{if(!e)return;let t=new Set(e.notificationGroups.edges.map(e=>e.node.key)),r=n.notificationGroups.edges.filter(e=>!t.has(e.node.key));return{...e,notificationGroups:{...e.notificationGroups,edges:[...e.notificationGroups.edges,...r],pageInfo:n.notificationGroups.pageInfo}}})}finally{t===this.loads&&this.applyWaiting()}}apply(e){if(e.kind===`STATE`)this.load();else if(this.waiting!==null)this.waiting.push(e);else switch(e.kind){case`NOTIFICATION`:this.follow(e,{toTop:!0});break;case`READ`:this.follow(e,{toTop:!1});break;case`ALL_READ`:this.clear();break;case`PREFERENCES`:break;default:this.load()}}applyWaiting(){let e=this.waiting??[];this.waiting=null;for(let t of e)this.apply(t)}follow(e,{toTop:t}){if(e.groupKeys.length===0)return;let n=new Set(e.groupKeys),r=new Map(e.groups.map(e=>[e.key,e]));this.client.cache.updateQuery(Z,i=>{if(!i)return;let a=i.notificationGroups.edges.flatMap(e=>{if(!n.has(e.node.key))return[e];let i=r.get(e.node.key);return i===void 0||t?[]:[{...e,cursor:i.cursor,node:i}]}),o=t?e.groups.map(e=>({__typename:`NotificationGroupEdge`,cursor:e.cursor,node:e})):[];return{...i,notificationGroups:{...i.notificationGroups,edges:[...o,...a]}}})}clear(){this.client.cache.updateQuery(Z,e=>{if(e)return{...e,notificationGroups:{...e.notificationGroups,edges:[],pageInfo:{...e.notificationGroups.pageInfo,hasNextPage:!1,endCursor:null}}}})}},Q=[500,1e3,2e3,5e3,1e4],Bt=new Set([`BAD_USER_INPUT`,`CURSOR_EXPIRED`]);function Vt(e,t){let n=M(),[r,i]=(0,k.useState)(`off`),a=(0,k.useRef)(t);return a.current=t,(0,k.useEffect)(()=>{let t=null,r=!1,o=0,c,u,d=()=>{u=n.subscribe({query:ke,variables:{userId:e,after:t}}).subscribe({next:({data:e,error:n})=>{if(n)return f(n);let r=e?.inbox;r&&(o=0,i(`listening`),t!==null&&r.version<=t||(t=r.version,a.current(r)))},error:f,complete:()=>f(null)})};function f(e){if(u?.unsubscribe(),r)return;if(s(e))return d();if(l.is(e)){let n=e.errors[0]?.extensions?.code;if(n===`UNAUTHENTICATED`)return;typeof n==`string`&&Bt.has(n)&&(t=null)}i(`reconnecting`);let n=Q[Math.min(o,Q.length-1)];o+=1,c=setTimeout(d,n)}return d(),()=>{r=!0,clearTimeout(c),u?.unsubscribe(),i(`off`)}},[n,e]),r}var $={query:z,variables:{first:50}};function Ht(e){let t=M(),[n,r]=(0,k.useState)(null),[i]=(0,k.useState)(()=>new Ut(t,r)),a=L(z,{...$,fetchPolicy:`cache-only`}),[o,s]=(0,k.useState)(null),[c]=(0,k.useState)(()=>new zt(t,s)),l=L(Z.query,{...Z,fetchPolicy:`cache-only`}),[u,d]=(0,k.useState)(null),[f,p]=(0,k.useState)(null),[m,h]=(0,k.useState)([]);(0,k.useEffect)(()=>{i.load(),c.load()},[i,c]);let ee=Vt(e,e=>{d(e.unreadCount),e.preferences&&p(e.preferences);let t=e.notification;t&&h(e=>[...e,t]),i.apply(e),c.apply(e)}),g=(0,k.useCallback)(()=>i.load(),[i]),_=(0,k.useCallback)(()=>c.load(),[c]),v=(0,k.useCallback)(()=>c.loadMore(),[c]),y=(0,k.useCallback)(e=>{h(t=>t.filter(t=>t.id!==e))},[]),b=a.data?.notifications.edges,x=(0,k.useMemo)(()=>b?.map(e=>e.node)??null,[b]),S=l.data?.notificationGroups.edges;return{notifications:x,listError:n,reloadList:g,groups:(0,k.useMemo)(()=>S?.map(e=>e.node)??null,[S]),hasMoreGroups:l.data?.notificationGroups.pageInfo.hasNextPage??!1,groupsError:o,reloadGroups:_,loadMoreGroups:v,unread:u??a.data?.unreadNotificationCount??0,preferences:f,status:ee,arrivals:m,dismissArrival:y}}var Ut=class{client;onError;waiting=null;loads=0;constructor(e,t){this.client=e,this.onError=t}async load(){let e=++this.loads;this.waiting??=[];try{let{data:t}=await this.client.query({...$,fetchPolicy:`no-cache`,context:{queryDeduplication:!1}});if(e!==this.loads)return;this.client.cache.writeQuery({...$,data:t}),this.onError(null)}catch(t){if(e!==this.loads)return;this.onError(h(t))}let t=this.waiting??[];this.waiting=null;for(let e of t)this.apply(e)}apply(e){if(e.kind===`STATE`)this.load();else if(this.waiting!==null)this.waiting.push(e);else switch(e.kind){case`NOTIFICATION`:e.notification&&this.add(e.notification);break;case`READ`:this.markRead(e.readIds);break;case`ALL_READ`:e.allReadUpTo!==null&&this.markReadUpTo(e.allReadUpTo);break;case`PREFERENCES`:break;default:this.load()}}add(e){this.client.cache.updateQuery($,t=>{if(t&&!t.notifications.edges.some(t=>t.node.id===e.id))return{...t,notifications:{...t.notifications,edges:[{__typename:`NotificationEdge`,cursor:e.cursor,node:e},...t.notifications.edges]}}})}markRead(e){let t=Wt();for(let n of e)this.client.cache.modify({id:this.client.cache.identify({__typename:`Notification`,id:n}),fields:{readAt:e=>e??t}})}markReadUpTo(e){let t=this.client.cache.readQuery($);if(!t)return;let n=t.notifications.edges,r=n.findIndex(t=>t.cursor===e);r===-1?n.length>0&&this.load():this.markRead(n.slice(r).map(e=>e.node.id))}};function Wt(){return new Date().toISOString()}function Gt(){let[e,t]=(0,k.useState)(()=>ee()===null?{signedIn:!1,notice:null}:{signedIn:!0}),[n]=(0,k.useState)(()=>p({onSessionEnded:e=>t({signedIn:!1,notice:e})}));return(0,U.jsxs)(ce,{client:n.apollo,children:[(0,U.jsxs)(`header`,{className:`page-header`,children:[(0,U.jsx)(`h1`,{children:`Herald inbox`}),(0,U.jsxs)(`nav`,{"aria-label":`Playground`,children:[(0,U.jsx)(`a`,{href:`/`,children:`About Herald`}),` · `,(0,U.jsx)(`a`,{href:`/graphiql`,children:`GraphiQL`})]})]}),e.signedIn?(0,U.jsx)(Kt,{onSignOut:()=>{n.signOut(),n.apollo.clearStore(),t({signedIn:!1,notice:null})}}):(0,U.jsx)(It,{notice:e.notice,onSignedIn:e=>{n.apollo.clearStore(),n.signIn(e),t({signedIn:!0})}})]})}function Kt({onSignOut:e}){let{data:t,error:n}=L(Ee);return n?(0,U.jsxs)(`main`,{children:[(0,U.jsx)(y,{error:h(n)}),(0,U.jsx)(`button`,{type:`button`,onClick:e,children:`Sign out`})]}):t?(0,U.jsx)(qt,{me:t.me,onSignOut:e}):(0,U.jsx)(`p`,{"aria-busy":`true`,children:`Checking your session…`})}function qt({me:e,onSignOut:t}){let[n,r]=(0,k.useState)(()=>sessionStorage.getItem(Jt)),i=e=>{sessionStorage.setItem(Jt,e),r(e)},a=Ht(e.id),o=a.preferences?.mutedBoards,s=(0,k.useMemo)(()=>o===void 0?null:new Set(o.map(e=>e.id)),[o]);return(0,U.jsxs)(U.Fragment,{children:[(0,U.jsxs)(`section`,{className:`whoami`,"aria-label":`Your account`,children:[(0,U.jsxs)(`p`,{children:[`Signed in as `,(0,U.jsx)(`strong`,{children:e.name}),e.email!==null&&` (${e.email})`,`. Your user id is`,` `,(0,U.jsx)(`strong`,{children:e.id}),`: others need it to add you to a board or follow you.`]}),(0,U.jsx)(`button`,{type:`button`,onClick:t,children:`Sign out`})]}),(0,U.jsxs)(`main`,{className:`workspace`,children:[(0,U.jsx)(st,{inbox:a,onOpenBoard:i}),(0,U.jsxs)(`div`,{className:`activity`,children:[(0,U.jsx)(At,{preferences:a.preferences}),(0,U.jsx)(qe,{me:e,boardId:n,mutedBoardIds:s,onOpenBoard:i}),(0,U.jsx)(bt,{})]})]})]})}var Jt=`herald.inbox.board`,Yt=document.getElementById(`root`);if(Yt===null)throw Error(`the page has no #root element`);(0,Te.createRoot)(Yt).render((0,U.jsx)(k.StrictMode,{children:(0,U.jsx)(Gt,{})}));